//! Reading request bodies within their limits.

use actix_web::HttpRequest;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt as _;

use crate::response::{HttpError, bad_request};

/// Content-Type must be absent or `application/json` (parameters allowed).
pub(crate) fn check_content_type(req: &HttpRequest) -> Result<(), HttpError> {
    match req.headers().get(header::CONTENT_TYPE) {
        None => Ok(()),
        Some(v) => {
            let v = v.as_bytes();
            let essence = v.split(|&b| b == b';').next().unwrap_or(v).trim_ascii();
            if essence.is_empty() || essence.eq_ignore_ascii_case(b"application/json") {
                Ok(())
            } else {
                Err(HttpError::UnsupportedMediaType)
            }
        }
    }
}

/// Reads the body, refusing with 413 as soon as it would exceed `limit`
/// (before reading anything when `Content-Length` already says so).
pub(crate) async fn read_body(
    req: &HttpRequest,
    mut payload: Payload,
    limit: usize,
) -> Result<Bytes, HttpError> {
    let declared = match req.headers().get(header::CONTENT_LENGTH) {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or(HttpError::BadRequest(bad_request::BODY_READ))?,
        ),
        None => None,
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(HttpError::PayloadTooLarge);
    }
    let capacity = declared.map_or(4096, |n| n as usize).min(limit);
    let mut buf = BytesMut::with_capacity(capacity);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| HttpError::BadRequest(bad_request::BODY_READ))?;
        if buf.len() + chunk.len() > limit {
            return Err(HttpError::PayloadTooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}
