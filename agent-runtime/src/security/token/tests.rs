//! Token tests: fixed vectors, every refusal kind, rotation, tampering.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::format::is_lower_hex;
use super::*;

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const FUNCTION: &str = "transfer_funds";
const CALL_ID: &str = "3f8e2a6c-5b1d-4c7e-9a0f-2d4b6c8e1a3f";
const NOW: u64 = 4_102_441_200;
const NONCE: [u8; 8] = [0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18];
const TTL: u64 = 3600;

/// Computed independently with Python 3's hmac/hashlib/base64:
///
/// ```text
/// kid = sha256(b"agent-runtime/kid/v1\0" + secret).digest()[:4].hex()
/// ch  = urlsafe_b64encode(sha256(b"agent-runtime/call/v1\0"
///           + call_id.encode()).digest()[:16]).rstrip(b"=")
/// prefix = ".".join(["v1", kid, fn, str(now + ttl), nonce.hex(), ch])
/// tag = urlsafe_b64encode(hmac.new(secret, prefix.encode(),
///           sha256).digest()).rstrip(b"=")
/// token = prefix + "." + tag
/// ```
const FIXED_VECTOR: &str = "v1.f2bff5e9.transfer_funds.4102444800.a1b2c3d4e5f60718.\
                            X0safhOpu6cjBDivuJ9sNQ.o47In-Co4MWu4x_mhRSbudOZBDTu99bJrZNMwwJIl2c";

const URL_SAFE_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

fn key(secret: &str) -> TokenKey {
    TokenKey::from_secret(secret).expect("test secret is long enough")
}

fn signer() -> TokenSigner {
    TokenSigner::new(key(SECRET), Vec::new(), Duration::from_secs(TTL))
}

fn valid_token() -> String {
    signer().mint_at(FUNCTION, CALL_ID, NOW, NONCE)
}

fn verify(s: &TokenSigner, token: &str) -> Result<(), TokenError> {
    s.verify_at(Some(token), FUNCTION, Some(CALL_ID), NOW)
}

/// Small deterministic xorshift PRNG for the garbage tests.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn fixed_vector() {
    assert_eq!(key(SECRET).kid(), "f2bff5e9");
    assert_eq!(valid_token(), FIXED_VECTOR);
    assert_eq!(verify(&signer(), FIXED_VECTOR), Ok(()));
}

#[test]
fn round_trip() {
    let s = signer();
    let token = s.mint_at(FUNCTION, CALL_ID, NOW, NONCE);
    assert_eq!(verify(&s, &token), Ok(()));
    // Within the lifetime.
    assert_eq!(
        s.verify_at(Some(&token), FUNCTION, Some(CALL_ID), NOW - 5),
        Ok(())
    );
    assert_eq!(
        s.verify_at(Some(&token), FUNCTION, Some(CALL_ID), NOW + TTL / 2),
        Ok(())
    );
}

#[test]
fn round_trip_with_real_clock_and_random_nonce() {
    let s = TokenSigner::new(
        TokenKey::random().expect("os rng"),
        Vec::new(),
        DEFAULT_TOKEN_TTL,
    );
    let a = s.mint(FUNCTION, CALL_ID);
    let b = s.mint(FUNCTION, CALL_ID);
    assert_ne!(a, b, "random nonces make tokens distinct");
    assert_eq!(s.verify(Some(&a), FUNCTION, Some(CALL_ID)), Ok(()));
    assert_eq!(s.verify(Some(&b), FUNCTION, Some(CALL_ID)), Ok(()));
    assert_eq!(
        s.verify(Some(&a), FUNCTION, Some("other")),
        Err(TokenError::WrongCallId)
    );
}

#[test]
fn token_is_url_safe_and_bounded() {
    let s = signer();
    let long_name = "a".repeat(MAX_FUNCTION_NAME_LEN);
    let long_call = "x".repeat(10_000);
    for (f, c, now) in [
        (FUNCTION, CALL_ID, NOW),
        (long_name.as_str(), long_call.as_str(), u64::MAX),
        ("_", "é.🦀 dots.and spaces", 0),
    ] {
        let t = s.mint_at(f, c, now, [0xff; 8]);
        assert!(t.bytes().all(|b| URL_SAFE_CHARS.contains(&b)), "{t}");
        assert!(!t.contains('='));
        assert!(t.len() <= MAX_TOKEN_LEN);
        assert_eq!(t.split('.').count(), 7);
    }
}

#[test]
fn call_ids_with_dots_and_unicode_bind() {
    let s = signer();
    let call = "a.b.c-é-🦀";
    let t = s.mint_at(FUNCTION, call, NOW, NONCE);
    assert_eq!(s.verify_at(Some(&t), FUNCTION, Some(call), NOW), Ok(()));
    assert_eq!(
        s.verify_at(Some(&t), FUNCTION, Some("a.b.c-e-🦀"), NOW),
        Err(TokenError::WrongCallId)
    );
}

#[test]
fn missing_and_empty() {
    let s = signer();
    assert_eq!(
        s.verify_at(None, FUNCTION, Some(CALL_ID), NOW),
        Err(TokenError::Missing)
    );
    assert_eq!(
        s.verify_at(Some(""), FUNCTION, Some(CALL_ID), NOW),
        Err(TokenError::Empty)
    );
}

#[test]
fn wrong_function() {
    let s = signer();
    let t = valid_token();
    assert_eq!(
        s.verify_at(Some(&t), "get_balance", Some(CALL_ID), NOW),
        Err(TokenError::WrongFunction)
    );
    // Prefix / case variants of the name are other functions too.
    for other in ["transfer_fund", "transfer_funds_", "Transfer_funds", ""] {
        assert_eq!(
            s.verify_at(Some(&t), other, Some(CALL_ID), NOW),
            Err(TokenError::WrongFunction),
            "{other}"
        );
    }
}

#[test]
fn wrong_call_id() {
    let s = signer();
    let t = valid_token();
    assert_eq!(
        s.verify_at(
            Some(&t),
            FUNCTION,
            Some("00000000-0000-4000-8000-000000000000"),
            NOW
        ),
        Err(TokenError::WrongCallId)
    );
    assert_eq!(
        s.verify_at(Some(&t), FUNCTION, Some(&CALL_ID.to_uppercase()), NOW),
        Err(TokenError::WrongCallId)
    );
}

#[test]
fn missing_call_id() {
    let s = signer();
    let t = valid_token();
    assert_eq!(
        s.verify_at(Some(&t), FUNCTION, None, NOW),
        Err(TokenError::MissingCallId)
    );
    assert_eq!(
        s.verify_at(Some(&t), FUNCTION, Some(""), NOW),
        Err(TokenError::MissingCallId)
    );
    // A token minted for an empty call id can never be used.
    let t = s.mint_at(FUNCTION, "", NOW, NONCE);
    assert_eq!(
        s.verify_at(Some(&t), FUNCTION, Some(""), NOW),
        Err(TokenError::MissingCallId)
    );
}

#[test]
fn expiry_boundary() {
    let s = signer();
    let t = valid_token();
    let expiry = NOW + TTL;
    assert_eq!(
        s.verify_at(Some(&t), FUNCTION, Some(CALL_ID), expiry),
        Ok(())
    );
    assert_eq!(
        s.verify_at(Some(&t), FUNCTION, Some(CALL_ID), expiry + 1),
        Err(TokenError::Expired)
    );
    assert_eq!(
        s.verify_at(Some(&t), FUNCTION, Some(CALL_ID), u64::MAX),
        Err(TokenError::Expired)
    );
}

#[test]
fn expiry_saturates_instead_of_overflowing() {
    let s = signer();
    let t = s.mint_at(FUNCTION, CALL_ID, u64::MAX - 10, NONCE);
    assert!(t.contains(&format!(".{}.", u64::MAX)));
    assert_eq!(
        s.verify_at(Some(&t), FUNCTION, Some(CALL_ID), u64::MAX),
        Ok(())
    );
}

#[test]
fn unrelated_key_is_unknown() {
    let other = TokenSigner::new(
        key("another secret that is long enough!!"),
        Vec::new(),
        Duration::from_secs(TTL),
    );
    let t = other.mint_at(FUNCTION, CALL_ID, NOW, NONCE);
    assert_eq!(verify(&signer(), &t), Err(TokenError::UnknownKey));
    let random = TokenSigner::new(
        TokenKey::random().expect("rng"),
        Vec::new(),
        DEFAULT_TOKEN_TTL,
    );
    let t = random.mint_at(FUNCTION, CALL_ID, NOW, NONCE);
    assert_eq!(verify(&signer(), &t), Err(TokenError::UnknownKey));
}

#[test]
fn tampered_tag_is_bad_signature() {
    let s = signer();
    let t = valid_token();
    // Replace the tag by a well-formed tag of other bytes.
    let (prefix, _) = t.rsplit_once('.').expect("has a tag");
    let forged = format!("{prefix}.{}", URL_SAFE_NO_PAD.encode([7u8; 32]));
    assert_eq!(verify(&s, &forged), Err(TokenError::BadSignature));
    // Re-target an authentic token at another function or a later expiry.
    let other_fn = t.replacen(FUNCTION, "get_balance", 1);
    assert_eq!(verify(&s, &other_fn), Err(TokenError::BadSignature));
    let later = t.replacen("4102444800", "4102448400", 1);
    assert_eq!(verify(&s, &later), Err(TokenError::BadSignature));
    // Graft the tag of another call's token.
    let t2 = s.mint_at(FUNCTION, "other-call", NOW, NONCE);
    let (_, tag2) = t2.rsplit_once('.').expect("has a tag");
    assert_eq!(
        verify(&s, &format!("{prefix}.{tag2}")),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn malformed_cases() {
    let s = signer();
    let t = valid_token();
    let f: Vec<&str> = t.split('.').collect();
    let join = |fields: &[&str]| fields.join(".");
    let long_fn = "a".repeat(MAX_FUNCTION_NAME_LEN + 1);
    let cases: Vec<String> = vec![
        "x".repeat(MAX_TOKEN_LEN + 1),
        format!("{t}{}", ".".repeat(MAX_TOKEN_LEN)),
        "garbage".into(),
        ".......".into(),
        "......".into(),
        join(&[&["v2"], &f[1..]].concat()),
        join(&[&["V1"], &f[1..]].concat()),
        join(&f[1..]),
        join(&[&f[..], &["extra"]].concat()),
        join(&[&f[..2], &[f[2], "x"], &f[3..]].concat()),
        join(&[&f[..1], &["F2BFF5E9"], &f[2..]].concat()),
        join(&[&f[..1], &["f2bff5e"], &f[2..]].concat()),
        join(&[&f[..2], &["1transfer"], &f[3..]].concat()),
        join(&[&f[..2], &["transfer-funds"], &f[3..]].concat()),
        join(&[&f[..2], &[""], &f[3..]].concat()),
        join(&[&f[..2], &[long_fn.as_str()], &f[3..]].concat()),
        join(&[&f[..3], &["04102444800"], &f[4..]].concat()),
        join(&[&f[..3], &["18446744073709551616"], &f[4..]].concat()),
        join(&[&f[..3], &["-1"], &f[4..]].concat()),
        join(&[&f[..3], &[""], &f[4..]].concat()),
        join(&[&f[..3], &["1e9"], &f[4..]].concat()),
        join(&[&f[..4], &["A1B2C3D4E5F60718"], &f[5..]].concat()),
        join(&[&f[..4], &["a1b2c3d4e5f607"], &f[5..]].concat()),
        join(&[&f[..5], &["X0safhOpu6cjBDivuJ9sN"], &f[6..]].concat()),
        format!("{t}="),
        format!("{t}A"),
        t.replace('.', "%2E"),
        format!(" {t}"),
        format!("{t}\n"),
        t.replacen('v', "ｖ", 1),
    ];
    for case in cases {
        assert_eq!(verify(&s, &case), Err(TokenError::Malformed), "{case:?}");
    }
}

#[test]
fn check_order() {
    let s = signer();
    let t = valid_token();
    // Wrong function AND expired AND wrong call: function is checked first.
    assert_eq!(
        s.verify_at(Some(&t), "other", Some("x"), u64::MAX),
        Err(TokenError::WrongFunction)
    );
    // Expired AND missing call id: expiry first.
    assert_eq!(
        s.verify_at(Some(&t), FUNCTION, None, u64::MAX),
        Err(TokenError::Expired)
    );
    // Unknown key AND bad tag: kid first.
    let unknown = t.replacen("f2bff5e9", "00000000", 1);
    assert_eq!(verify(&s, &unknown), Err(TokenError::UnknownKey));
    // Malformed AND unknown key: shape first.
    let both = unknown.replacen("v1", "v9", 1);
    assert_eq!(verify(&s, &both), Err(TokenError::Malformed));
    // Missing token AND missing call id: token first.
    assert_eq!(
        s.verify_at(None, FUNCTION, None, NOW),
        Err(TokenError::Missing)
    );
}

#[test]
fn every_byte_flip_is_rejected() {
    let s = signer();
    let t = valid_token();
    let bytes = t.as_bytes();
    let mut tried = 0usize;
    for i in 0..bytes.len() {
        let mut variants: Vec<u8> = URL_SAFE_CHARS
            .iter()
            .copied()
            .filter(|c| *c != bytes[i])
            .collect();
        variants.push(bytes[i] ^ 1);
        for v in variants {
            let mut m = bytes.to_vec();
            m[i] = v;
            let m = String::from_utf8(m).expect("ascii stays utf-8");
            assert!(verify(&s, &m).is_err(), "accepted flip at {i}: {m}");
            tried += 1;
        }
    }
    assert!(tried > bytes.len() * 60);
}

#[test]
fn truncations_and_extensions_are_rejected() {
    let s = signer();
    let t = valid_token();
    for n in 0..t.len() {
        assert!(verify(&s, &t[..n]).is_err(), "prefix {n} accepted");
        assert!(verify(&s, &t[n + 1..]).is_err(), "suffix from {n} accepted");
    }
    for c in URL_SAFE_CHARS {
        let longer = format!("{t}{}", char::from(*c));
        assert!(verify(&s, &longer).is_err());
    }
}

#[test]
fn rotation() {
    let old = key("the old secret, at least 32 bytes long");
    let new = key("the new secret, at least 32 bytes long");
    let before = TokenSigner::new(old.clone(), Vec::new(), Duration::from_secs(TTL));
    let t = before.mint_at(FUNCTION, CALL_ID, NOW, NONCE);

    let rotated = TokenSigner::new(new.clone(), vec![old], Duration::from_secs(TTL));
    assert_eq!(verify(&rotated, &t), Ok(()));
    // Minting always uses the current key.
    let t2 = rotated.mint_at(FUNCTION, CALL_ID, NOW, NONCE);
    assert!(t2.starts_with(&format!("v1.{}.", new.kid())));
    assert_eq!(verify(&rotated, &t2), Ok(()));
    // The old key alone does not accept new tokens.
    assert_eq!(verify(&before, &t2), Err(TokenError::UnknownKey));

    let retired = TokenSigner::new(new, Vec::new(), Duration::from_secs(TTL));
    assert_eq!(verify(&retired, &t), Err(TokenError::UnknownKey));
    assert_eq!(verify(&retired, &t2), Ok(()));
}

#[test]
fn replicas_with_same_secret_agree() {
    // Two independently built signers, as in two processes/restarts.
    let a = TokenSigner::new(key(SECRET), Vec::new(), Duration::from_secs(TTL));
    let b = TokenSigner::new(
        TokenKey::from_bytes(SECRET.as_bytes()).expect("long enough"),
        Vec::new(),
        Duration::from_secs(60),
    );
    assert_eq!(a.current_kid(), b.current_kid());
    let t = a.mint(FUNCTION, CALL_ID);
    assert_eq!(b.verify(Some(&t), FUNCTION, Some(CALL_ID)), Ok(()));
    let t = b.mint(FUNCTION, CALL_ID);
    assert_eq!(a.verify(Some(&t), FUNCTION, Some(CALL_ID)), Ok(()));
}

#[test]
fn debug_never_shows_the_secret() {
    let canary = "CANARY-c4n4ry-SECRET-do-not-log-0123456789";
    let k = key(canary);
    let s = TokenSigner::new(k.clone(), vec![key(SECRET)], DEFAULT_TOKEN_TTL);
    let outputs = [
        format!("{k:?}"),
        format!("{k:#?}"),
        format!("{s:?}"),
        format!("{s:#?}"),
    ];
    for out in &outputs {
        assert!(!out.contains("CANARY"), "{out}");
        assert!(!out.contains(canary), "{out}");
        assert!(!out.contains(SECRET), "{out}");
        assert!(!out.contains("0123456789"), "{out}");
    }
    assert!(outputs[0].contains(k.kid()));
    assert!(outputs[2].contains(k.kid()) && outputs[2].contains("f2bff5e9"));
}

#[test]
fn short_secrets_are_rejected_without_echoing_them() {
    let short = "short-SECRET-value-31-bytes-xyz";
    assert_eq!(short.len(), MIN_SECRET_LEN - 1);
    let err = TokenKey::from_secret(short).expect_err("too short");
    assert_eq!(err, KeyError::TooShort);
    let msg = err.to_string();
    assert!(msg.contains("at least 32 bytes"), "{msg}");
    assert!(!msg.contains("SECRET") && !format!("{err:?}").contains("SECRET"));
    assert_eq!(
        TokenKey::from_secret("").map(|_| ()),
        Err(KeyError::TooShort)
    );
    // Length counts bytes: 11 three-byte chars = 33 bytes.
    assert!(TokenKey::from_secret(&"€".repeat(11)).is_ok());
    assert!(TokenKey::from_secret(&"a".repeat(MIN_SECRET_LEN)).is_ok());
    assert!(TokenKey::from_bytes(&[0u8; 31]).is_err());
}

#[test]
fn random_keys_are_distinct_with_hex_kids() {
    let a = TokenKey::random().expect("rng");
    let b = TokenKey::random().expect("rng");
    assert_ne!(a.kid(), b.kid());
    for k in [&a, &b] {
        assert!(is_lower_hex(k.kid(), 8), "{}", k.kid());
    }
}

#[test]
fn reasons_are_stable_unique_snake_case_and_display_is_generic() {
    let all = [
        TokenError::Missing,
        TokenError::Empty,
        TokenError::Malformed,
        TokenError::UnknownKey,
        TokenError::BadSignature,
        TokenError::WrongFunction,
        TokenError::Expired,
        TokenError::MissingCallId,
        TokenError::WrongCallId,
    ];
    let reasons: Vec<&str> = all.iter().map(TokenError::reason).collect();
    assert_eq!(
        reasons,
        [
            "token_missing",
            "token_empty",
            "token_malformed",
            "token_unknown_key",
            "token_bad_signature",
            "token_wrong_function",
            "token_expired",
            "call_id_missing",
            "token_wrong_call_id",
        ]
    );
    let t = valid_token();
    for e in all {
        let shown = e.to_string();
        assert!(!shown.is_empty());
        assert!(!shown.contains(FUNCTION) && !shown.contains(&t[..10]));
        let _: &dyn std::error::Error = &e;
    }
}

#[test]
fn garbage_never_panics_and_never_verifies() {
    let s = signer();
    let t = valid_token();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet: Vec<char> = "v1.abcdefABCXYZ0123456789_-=+/% \n\t\0éß漢🦀\u{202e}\u{feff}."
        .chars()
        .collect();
    let fields: Vec<&str> = t.split('.').collect();
    for round in 0..20_000 {
        let candidate: String = match round % 4 {
            // Random characters from a hostile alphabet.
            0 => (0..rng.below(700))
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect(),
            // Random bytes, lossily decoded.
            1 => {
                let raw: Vec<u8> = (0..rng.below(200)).map(|_| rng.next() as u8).collect();
                String::from_utf8_lossy(&raw).into_owned()
            }
            // Valid token with one random char inserted or removed.
            2 => {
                let mut chars: Vec<char> = t.chars().collect();
                let at = rng.below(chars.len());
                if rng.next().is_multiple_of(2) {
                    chars.remove(at);
                } else {
                    chars.insert(at, alphabet[rng.below(alphabet.len())]);
                }
                chars.into_iter().collect()
            }
            // Fields of the valid token shuffled, dropped or repeated.
            _ => (0..rng.below(10))
                .map(|_| fields[rng.below(fields.len())])
                .collect::<Vec<_>>()
                .join("."),
        };
        let function: String = (0..rng.below(8))
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        assert!(verify(&s, &candidate).is_err(), "{candidate:?}");
        let _ = s.verify_at(Some(&candidate), &function, Some(&function), rng.next());
        let _ = s.verify_at(Some(&candidate), &function, None, 0);
    }
    // Huge inputs are cut off early.
    let huge = "v1.".repeat(1_000_000);
    assert_eq!(verify(&s, &huge), Err(TokenError::Malformed));
    let huge_unicode = "🦀".repeat(100_000);
    assert_eq!(verify(&s, &huge_unicode), Err(TokenError::Malformed));
    // A valid token with garbage function / call id never panics.
    for junk in ["", "\0", "🦀", "a.b", &"z".repeat(100_000)] {
        assert!(s.verify_at(Some(&t), junk, Some(junk), NOW).is_err());
    }
}
