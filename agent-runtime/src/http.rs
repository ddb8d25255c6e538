//! Response building and request-reading helpers shared by every endpoint.
//! Error bodies are fixed strings: nothing from the request is ever echoed.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{Bytes, BytesMut, Payload};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::StreamExt as _;

/// Every way a request can be refused before (or instead of) reaching a
/// handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HttpError {
    BadRequest(&'static str),
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    /// 429, with the seconds to wait.
    TooManyRequests(u64),
}

impl HttpError {
    pub(crate) fn response(self) -> HttpResponse {
        let (status, body): (StatusCode, &'static str) = match self {
            HttpError::BadRequest(reason) => (StatusCode::BAD_REQUEST, reason),
            HttpError::Unauthorized => (StatusCode::UNAUTHORIZED, r#"{"error":"unauthorized"}"#),
            HttpError::Forbidden => (StatusCode::FORBIDDEN, r#"{"error":"forbidden"}"#),
            HttpError::NotFound => (StatusCode::NOT_FOUND, r#"{"error":"not found"}"#),
            HttpError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                r#"{"error":"method not allowed"}"#,
            ),
            HttpError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                r#"{"error":"request body too large"}"#,
            ),
            HttpError::TooManyRequests(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                r#"{"error":"too many requests"}"#,
            ),
            HttpError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                r#"{"error":"content type must be application/json"}"#,
            ),
        };
        let mut res = json_response(status, Bytes::from_static(body.as_bytes()));
        if let HttpError::TooManyRequests(secs) = self {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        if self == HttpError::Unauthorized {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="signalwire-agent", charset="UTF-8""#),
            );
        }
        res
    }
}

/// Fixed JSON bodies for 400 responses.
pub(crate) mod bad_request {
    pub const INVALID_JSON: &str = r#"{"error":"request body must be a JSON object"}"#;
    pub const MISSING_FUNCTION: &str = r#"{"error":"missing function name"}"#;
    pub const INVALID_FUNCTION: &str = r#"{"error":"invalid function name"}"#;
    pub const INVALID_CALL_ID: &str = r#"{"error":"invalid call_id"}"#;
    pub const INVALID_QUERY: &str = r#"{"error":"invalid query string"}"#;
    pub const BODY_READ: &str = r#"{"error":"request body could not be read"}"#;
    pub const HOST_NOT_ALLOWED: &str = r#"{"error":"host not allowed"}"#;
}

/// A JSON response with the security headers, written in one piece.
pub(crate) fn json_response(status: StatusCode, body: impl Into<Bytes>) -> HttpResponse {
    let mut res = HttpResponse::with_body(status, body.into());
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.map_into_boxed_body()
}

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

/// Finds one query parameter. A repeated parameter is an error (two tokens
/// must never be ambiguous).
pub(crate) fn query_param(query: &str, name: &str) -> Result<Option<String>, HttpError> {
    let mut found: Option<String> = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != name {
            continue;
        }
        if found.is_some() {
            return Err(HttpError::BadRequest(bad_request::INVALID_QUERY));
        }
        let value = value.replace('+', " ");
        let decoded = percent_encoding::percent_decode_str(&value)
            .decode_utf8()
            .map_err(|_| HttpError::BadRequest(bad_request::INVALID_QUERY))?;
        found = Some(decoded.into_owned());
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_param_rules() {
        assert_eq!(
            query_param("a=1&__token=abc", "__token"),
            Ok(Some("abc".into()))
        );
        assert_eq!(query_param("a=1", "__token"), Ok(None));
        assert_eq!(query_param("__token=", "__token"), Ok(Some(String::new())));
        assert_eq!(query_param("__token", "__token"), Ok(Some(String::new())));
        assert_eq!(
            query_param("call_id=a%20b", "call_id"),
            Ok(Some("a b".into()))
        );
        assert!(query_param("__token=a&__token=b", "__token").is_err());
        assert!(query_param("call_id=%ff", "call_id").is_err());
    }
}
