//! The query-string reader, for both parameters the runtime reads
//! (`__token` and `call_id`), then the call id check.
//!
//! Asserts, beyond "no panic":
//! - the reader is deterministic; a refusal is the invalid-query 400;
//! - it agrees with counting the pairs whose raw key is the name: none is
//!   `None`, two or more is the 400, one is its value (or the 400 when the
//!   decoded value is not UTF-8);
//! - unrelated pairs and empty pairs around the query change nothing;
//!   naming the parameter once more turns `None` into that value and a
//!   value into the 400;
//! - a value read back after percent-encoding it is the same value;
//! - a call id read from the query passes the call id check only if it is
//!   at most 256 bytes without control characters.

#![no_main]

use agent_runtime::__fuzz as rt;
use libfuzzer_sys::fuzz_target;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    for name in ["__token", "call_id"] {
        let got = rt::query_param(&query, name);
        assert_eq!(got, rt::query_param(&query, name), "deterministic");
        if let Err(refusal) = got {
            assert_eq!(refusal, rt::INVALID_QUERY);
        }

        let named = query
            .split('&')
            .filter(|pair| pair.split_once('=').map_or(*pair, |(k, _)| k) == name)
            .count();
        match named {
            0 => assert_eq!(got, Ok(None)),
            1 => assert!(got != Ok(None), "one pair, yet not found"),
            _ => assert_eq!(got, Err(rt::INVALID_QUERY)),
        }

        let padded = format!("a=1&&{query}&&b=2");
        assert_eq!(rt::query_param(&padded, name), got, "unrelated pairs");
        let again = rt::query_param(&format!("{query}&{name}=v"), name);
        match &got {
            Ok(None) => assert_eq!(again, Ok(Some("v".to_owned()))),
            Ok(Some(_)) | Err(_) => assert_eq!(again, Err(rt::INVALID_QUERY)),
        }

        if let Ok(Some(value)) = &got {
            let encoded = utf8_percent_encode(value, NON_ALPHANUMERIC).to_string();
            assert_eq!(
                rt::query_param(&format!("{name}={encoded}"), name),
                Ok(Some(value.clone())),
                "round trip"
            );
            if name == "call_id" {
                let plausible = value.len() <= 256 && !value.chars().any(char::is_control);
                match rt::check_call_id(Some(value.clone())) {
                    Ok(Some(id)) => assert!(plausible && id == *value),
                    Ok(None) => assert!(value.is_empty()),
                    Err(refusal) => {
                        assert_eq!(refusal, rt::INVALID_CALL_ID);
                        assert!(!plausible);
                    }
                }
            }
        }
    }
});
