//! Nonces and the clock used when minting.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::{NONCE_BYTES, NONCE_FALLBACK_DOMAIN};

pub(super) fn unix_now() -> Option<u64> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

/// Random bytes drawn from the OS per refill of a thread's nonce pool.
const NONCE_POOL_BYTES: usize = 32 * NONCE_BYTES;

std::thread_local! {
    /// Random bytes not handed out yet, and how many of them are used.
    static NONCE_POOL: std::cell::RefCell<([u8; NONCE_POOL_BYTES], usize)> =
        const { std::cell::RefCell::new(([0; NONCE_POOL_BYTES], NONCE_POOL_BYTES)) };
}

/// 8 random bytes. They come from a per-thread pool filled from the OS RNG 32
/// nonces at a time, so minting costs one system call per 32 documents rather
/// than one per token. The nonce only makes tokens distinct (it is not a
/// replay defence, and it is public in the token), so if the RNG ever fails we
/// fall back to a hash of a process-wide counter, the clock and the pid
/// instead of failing to mint.
pub(super) fn fresh_nonce() -> [u8; NONCE_BYTES] {
    let pooled = NONCE_POOL.try_with(|cell| {
        let (pool, used) = &mut *cell.borrow_mut();
        if *used + NONCE_BYTES > NONCE_POOL_BYTES {
            if getrandom::fill(pool).is_err() {
                return None;
            }
            *used = 0;
        }
        let mut nonce = [0u8; NONCE_BYTES];
        nonce.copy_from_slice(pool.get(*used..*used + NONCE_BYTES)?);
        // Handed-out bytes are not kept around.
        pool.get_mut(*used..*used + NONCE_BYTES)?.fill(0);
        *used += NONCE_BYTES;
        Some(nonce)
    });
    if let Ok(Some(nonce)) = pooled {
        return nonce;
    }
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let digest = Sha256::new()
        .chain_update(NONCE_FALLBACK_DOMAIN)
        .chain_update(count.to_le_bytes())
        .chain_update(nanos.to_le_bytes())
        .chain_update(std::process::id().to_le_bytes())
        .finalize();
    let mut nonce = [0u8; NONCE_BYTES];
    for (dst, src) in nonce.iter_mut().zip(digest.iter()) {
        *dst = *src;
    }
    nonce
}
