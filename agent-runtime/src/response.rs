//! The responses the runtime writes itself: every refusal with its fixed
//! body (nothing from the request is ever echoed) and the JSON response with
//! the security headers that every answer carries.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, ResponseError};

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
    /// 431: one header, or all of them together, is over its size cap. The
    /// connection is closed after the answer.
    HeadersTooLarge,
    /// 503: a decision depends on the shared state store, which did not
    /// answer, and the policy is to refuse.
    ServiceUnavailable,
    /// 408: the body did not arrive before its deadline. The connection is
    /// closed after the answer.
    RequestTimeout,
    /// 500: the runtime could not write an answer it should have (never
    /// expected; the body says nothing more).
    Internal,
}

impl HttpError {
    /// The status and the fixed body.
    fn parts(self) -> (StatusCode, &'static str) {
        match self {
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
            HttpError::ServiceUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                r#"{"error":"temporarily unavailable"}"#,
            ),
            HttpError::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                r#"{"error":"request body not received in time"}"#,
            ),
            HttpError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"error":"internal error"}"#,
            ),
            HttpError::HeadersTooLarge => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                r#"{"error":"request headers too large"}"#,
            ),
        }
    }

    /// The HTTP status.
    pub(crate) fn status(self) -> StatusCode {
        self.parts().0
    }

    /// The fixed body: how the fuzz targets tell refusals apart.
    #[cfg(feature = "fuzzing")]
    pub(crate) fn body(self) -> &'static str {
        self.parts().1
    }

    /// The full response: fixed body, security headers, and `Retry-After`
    /// or `WWW-Authenticate` where the status calls for one.
    pub(crate) fn response(self) -> HttpResponse {
        let (status, body) = self.parts();
        let mut res = json_response(status, Bytes::from_static(body.as_bytes()));
        if let HttpError::TooManyRequests(secs) = self {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        if matches!(self, HttpError::HeadersTooLarge | HttpError::RequestTimeout) {
            res.head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
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
    /// The body is not JSON, or not an object.
    pub const INVALID_JSON: &str = r#"{"error":"request body must be a JSON object"}"#;
    /// An object names the same key twice.
    pub const REPEATED_KEY: &str =
        r#"{"error":"an object in the request body names the same key twice"}"#;
    /// `argument.parsed` holds more than one set of arguments.
    pub const EXTRA_ARGUMENT_SET: &str =
        r#"{"error":"argument.parsed must hold exactly one set of arguments"}"#;
    /// The SWAIG request names no function.
    pub const MISSING_FUNCTION: &str = r#"{"error":"missing function name"}"#;
    /// The function name cannot be a tool's.
    pub const INVALID_FUNCTION: &str = r#"{"error":"invalid function name"}"#;
    /// The call id is too long or holds control characters.
    pub const INVALID_CALL_ID: &str = r#"{"error":"invalid call_id"}"#;
    /// The caller number is too long or not a phone-number-like string.
    pub const INVALID_CALLER_NUMBER: &str = r#"{"error":"invalid caller_id_num"}"#;
    /// The caller name is too long or holds control characters.
    pub const INVALID_CALLER_NAME: &str = r#"{"error":"invalid caller_id_name"}"#;
    /// A parameter the runtime reads is repeated, or not UTF-8.
    pub const INVALID_QUERY: &str = r#"{"error":"invalid query string"}"#;
    /// The body could not be read (or its length header is unreadable).
    pub const BODY_READ: &str = r#"{"error":"request body could not be read"}"#;
    /// The `Host` header is not an allowed host.
    pub const HOST_NOT_ALLOWED: &str = r#"{"error":"host not allowed"}"#;
}

/// A JSON response with the security headers, written in one piece.
pub(crate) fn json_response(status: StatusCode, body: impl Into<Bytes>) -> HttpResponse {
    typed_response(status, "application/json", body)
}

/// A response of `content_type` with the security headers, written in one
/// piece.
pub(crate) fn typed_response(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> HttpResponse {
    let mut res = HttpResponse::with_body(status, body.into());
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
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

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "request refused with HTTP {}", self.status().as_u16())
    }
}

/// Lets the request checks (actix extractors) refuse with these responses.
impl ResponseError for HttpError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.response()
    }
}
