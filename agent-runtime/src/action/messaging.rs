//! Sending an SMS or MMS from a tool ([`ToolResult::send_sms`]).

use std::error::Error;
use std::fmt;

use serde::Serialize;

use super::ToolResult;
use super::document::{SwmlAction, Verb};
use super::wire::non_empty;

/// An SMS or MMS to send ([`ToolResult::send_sms`]); needs a body or at
/// least one media URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[must_use = "builders do nothing unless passed on"]
pub struct SendSms {
    to_number: String,
    from_number: String,
    body: Option<String>,
    media: Vec<String>,
    tags: Vec<String>,
    region: Option<String>,
}

impl SendSms {
    /// A message from `from_number` to `to_number` (E.164).
    pub fn new(to_number: impl Into<String>, from_number: impl Into<String>) -> Self {
        SendSms {
            to_number: to_number.into(),
            from_number: from_number.into(),
            ..SendSms::default()
        }
    }

    /// Message text.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// URLs of media to attach.
    pub fn media<I, S>(mut self, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.media = urls.into_iter().map(Into::into).collect();
        self
    }

    /// Tags for searching message logs.
    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// Region the message originates from.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    fn into_params(self) -> Result<SmsParams, SmsContentMissing> {
        let body = non_empty(self.body);
        if body.is_none() && self.media.is_empty() {
            return Err(SmsContentMissing);
        }
        Ok(SmsParams {
            to_number: self.to_number,
            from_number: self.from_number,
            body,
            media: self.media,
            tags: self.tags,
            region: non_empty(self.region),
        })
    }
}

/// Error from [`ToolResult::send_sms`]: the message had neither a non-empty
/// body nor a media URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SmsContentMissing;

impl fmt::Display for SmsContentMissing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("send_sms needs a body or at least one media URL")
    }
}

impl Error for SmsContentMissing {}

/// Parameters of the `send_sms` verb; empty options are left out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct SmsParams {
    to_number: String,
    from_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    media: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
}

impl ToolResult {
    /// Sends an SMS/MMS (SWML `send_sms`).
    ///
    /// # Errors
    ///
    /// [`SmsContentMissing`] when the message has neither a non-empty body
    /// nor a media URL.
    pub fn send_sms(self, sms: SendSms) -> Result<Self, SmsContentMissing> {
        let params = sms.into_params()?;
        Ok(self.push(SwmlAction::run(vec![Verb::new("send_sms", params)])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn send_sms_needs_body_or_media() {
        let x = || ToolResult::new("x");
        let empty = SendSms::new("+1", "+2");
        assert_eq!(x().send_sms(empty.clone()), Err(SmsContentMissing));
        assert_eq!(x().send_sms(empty.clone().body("")), Err(SmsContentMissing));
        let media_only = x()
            .send_sms(empty.media(["https://example.com/a.png"]))
            .expect("media is enough");
        let body: Value = serde_json::from_slice(&media_only.to_json_vec()).expect("JSON");
        let sms = &body["action"][0]["SWML"]["sections"]["main"][0]["send_sms"];
        assert_eq!(
            sms,
            &json!({"to_number": "+1", "from_number": "+2", "media": ["https://example.com/a.png"]})
        );
    }
}
