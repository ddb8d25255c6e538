//! Reading request bodies within their limits.

use std::time::Duration;

use actix_web::HttpRequest;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt as _;

use crate::response::{HttpError, bad_request};

/// Whether the request carries a body: a `Content-Length` other than 0, or
/// a `Transfer-Encoding`.
pub(crate) fn carries_body(req: &HttpRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes().trim_ascii() != b"0")
}

/// A request that carries a body must say it is `application/json`
/// (parameters allowed). Without that, a browser form could post to the
/// agent without a CORS preflight. Checked before any body byte is read.
pub(crate) fn check_content_type(req: &HttpRequest) -> Result<(), HttpError> {
    if !carries_body(req) {
        return Ok(());
    }
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Err(HttpError::UnsupportedMediaType);
    };
    let v = value.as_bytes();
    let essence = v.split(|&b| b == b';').next().unwrap_or(v).trim_ascii();
    if essence.eq_ignore_ascii_case(b"application/json") {
        Ok(())
    } else {
        Err(HttpError::UnsupportedMediaType)
    }
}

/// Reads the body within `deadline` (408 when it is not all there by then),
/// refusing with 413 as soon as it would exceed `limit` (before reading
/// anything when `Content-Length` already says so).
pub(crate) async fn read_body(
    req: &HttpRequest,
    payload: Payload,
    limit: usize,
    deadline: Duration,
) -> Result<Bytes, HttpError> {
    actix_web::rt::time::timeout(deadline, read_within(req, payload, limit))
        .await
        .unwrap_or(Err(HttpError::RequestTimeout))
}

async fn read_within(
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
