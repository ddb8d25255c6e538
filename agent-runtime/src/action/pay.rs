//! Card payments through SWML `pay` ([`ToolResult::pay`]): the caller's card
//! goes from the keypad straight to the payment connector, so card data
//! never reaches the model or this process.

use serde::Serialize;

use super::ToolResult;
use super::document::{SetAiResponse, SwmlAction, Verb};
use super::wire::{
    CardType, PayInputMethod, PayPromptActionType, PaymentMethod, TokenType, bool_str, join_wire,
    non_empty,
};

/// Default `ai_response` that [`Pay`] places in a `set` verb before `pay`.
pub const DEFAULT_PAY_AI_RESPONSE: &str = "The payment status is ${pay_result}, do not mention anything else about collecting payment if successful.";

/// `postal_code` option of [`Pay`]: prompt for it, skip it, or supply it.
/// Converts from `bool` and from text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PostalCode {
    /// `"true"` (default) to ask the caller, `"false"` not to.
    Prompt(bool),
    /// A known postal code, sent without asking.
    Known(String),
}

impl Default for PostalCode {
    fn default() -> Self {
        PostalCode::Prompt(true)
    }
}

impl From<bool> for PostalCode {
    fn from(prompt: bool) -> Self {
        PostalCode::Prompt(prompt)
    }
}

impl From<&str> for PostalCode {
    fn from(code: &str) -> Self {
        PostalCode::Known(code.to_owned())
    }
}

impl From<String> for PostalCode {
    fn from(code: String) -> Self {
        PostalCode::Known(code)
    }
}

/// A `{"name", "value"}` pair passed to the payment connector.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PayParameter {
    name: String,
    value: String,
}

impl PayParameter {
    /// A parameter `name` = `value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        PayParameter {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// One step of a payment prompt: `{"type": "Say"|"Play", "phrase": …}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PayPromptAction {
    kind: PayPromptActionType,
    phrase: String,
}

impl PayPromptAction {
    /// An action of the given type.
    pub fn new(kind: PayPromptActionType, phrase: impl Into<String>) -> Self {
        PayPromptAction {
            kind,
            phrase: phrase.into(),
        }
    }

    /// Speaks `phrase`.
    pub fn say(phrase: impl Into<String>) -> Self {
        PayPromptAction::new(PayPromptActionType::Say, phrase)
    }

    /// Plays the audio file at `url`.
    pub fn play(url: impl Into<String>) -> Self {
        PayPromptAction::new(PayPromptActionType::Play, url)
    }
}

/// A custom prompt for one payment step:
/// `{"for", "actions", "card_type"?, "error_type"?}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use = "builders do nothing unless passed on"]
pub struct PayPrompt {
    for_situation: String,
    actions: Vec<PayPromptAction>,
    card_types: Vec<CardType>,
    error_type: Option<String>,
}

impl PayPrompt {
    /// A prompt for the step `for_situation` (e.g. `payment-card-number`,
    /// `expiration-date`, `security-code`, `postal-code`,
    /// `payment-processing`, `payment-completed`, `payment-failed`).
    pub fn new(
        for_situation: impl Into<String>,
        actions: impl IntoIterator<Item = PayPromptAction>,
    ) -> Self {
        PayPrompt {
            for_situation: for_situation.into(),
            actions: actions.into_iter().collect(),
            card_types: Vec::new(),
            error_type: None,
        }
    }

    /// Card types this prompt applies to.
    pub fn card_types(mut self, card_types: impl IntoIterator<Item = CardType>) -> Self {
        self.card_types = card_types.into_iter().collect();
        self
    }

    /// Space-separated error types this prompt applies to (e.g. `timeout`,
    /// `invalid-card-number`).
    pub fn error_type(mut self, error_type: impl Into<String>) -> Self {
        self.error_type = Some(error_type.into());
        self
    }
}

/// Payment collection through SWML `pay` ([`ToolResult::pay`]).
///
/// Only `payment_connector_url` is required; every other option starts at
/// the reference default. Scalar options are sent as strings. A
/// `{"set": {"ai_response": …}}` verb precedes `pay`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use = "builders do nothing unless passed on"]
pub struct Pay {
    payment_connector_url: String,
    input_method: PayInputMethod,
    status_url: Option<String>,
    payment_method: PaymentMethod,
    timeout: u32,
    max_attempts: u32,
    security_code: bool,
    postal_code: PostalCode,
    min_postal_code_length: u32,
    token_type: TokenType,
    charge_amount: Option<String>,
    currency: String,
    language: String,
    voice: String,
    description: Option<String>,
    valid_card_types: Vec<CardType>,
    parameters: Vec<PayParameter>,
    prompts: Vec<PayPrompt>,
    ai_response: Option<String>,
}

impl Pay {
    /// Collects a payment processed by the connector at `url`: DTMF input,
    /// credit card, 5 s timeout, 1 attempt, security and postal code asked,
    /// reusable token, `usd`, `en-US`, voice `woman`, visa/mastercard/amex.
    pub fn new(payment_connector_url: impl Into<String>) -> Self {
        Pay {
            payment_connector_url: payment_connector_url.into(),
            input_method: PayInputMethod::Dtmf,
            status_url: None,
            payment_method: PaymentMethod::CreditCard,
            timeout: 5,
            max_attempts: 1,
            security_code: true,
            postal_code: PostalCode::Prompt(true),
            min_postal_code_length: 0,
            token_type: TokenType::Reusable,
            charge_amount: None,
            currency: "usd".to_owned(),
            language: "en-US".to_owned(),
            voice: "woman".to_owned(),
            description: None,
            valid_card_types: vec![CardType::Visa, CardType::Mastercard, CardType::Amex],
            parameters: Vec::new(),
            prompts: Vec::new(),
            ai_response: Some(DEFAULT_PAY_AI_RESPONSE.to_owned()),
        }
    }

    /// How the caller enters details (`input`).
    pub fn input_method(mut self, input: PayInputMethod) -> Self {
        self.input_method = input;
        self
    }

    /// URL receiving payment status events.
    pub fn status_url(mut self, url: impl Into<String>) -> Self {
        self.status_url = Some(url.into());
        self
    }

    /// What is collected.
    pub fn payment_method(mut self, method: PaymentMethod) -> Self {
        self.payment_method = method;
        self
    }

    /// Seconds to wait for each digit (default 5).
    pub fn timeout(mut self, secs: u32) -> Self {
        self.timeout = secs;
        self
    }

    /// Attempts before giving up (default 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Asks for the card security code (default `true`).
    pub fn security_code(mut self, ask: bool) -> Self {
        self.security_code = ask;
        self
    }

    /// Asks for the postal code (`true`, default), skips it (`false`), or
    /// supplies it (a string such as `"94107"`).
    pub fn postal_code(mut self, postal_code: impl Into<PostalCode>) -> Self {
        self.postal_code = postal_code.into();
        self
    }

    /// Shortest postal code accepted (default 0).
    pub fn min_postal_code_length(mut self, len: u32) -> Self {
        self.min_postal_code_length = len;
        self
    }

    /// Kind of token to create.
    pub fn token_type(mut self, token_type: TokenType) -> Self {
        self.token_type = token_type;
        self
    }

    /// Amount to charge, as a decimal string without currency (e.g.
    /// `"10.50"`); without it the card is only tokenised.
    pub fn charge_amount(mut self, amount: impl Into<String>) -> Self {
        self.charge_amount = Some(amount.into());
        self
    }

    /// ISO 4217 currency code (default `usd`).
    pub fn currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = currency.into();
        self
    }

    /// Language of the prompts (default `en-US`).
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = language.into();
        self
    }

    /// Text-to-speech voice of the prompts (default `woman`).
    pub fn voice(mut self, voice: impl Into<String>) -> Self {
        self.voice = voice.into();
        self
    }

    /// Description passed to the connector.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Card types accepted (default visa, mastercard, amex).
    pub fn valid_card_types(mut self, card_types: impl IntoIterator<Item = CardType>) -> Self {
        self.valid_card_types = card_types.into_iter().collect();
        self
    }

    /// Replaces the extra connector parameters.
    pub fn parameters(mut self, parameters: impl IntoIterator<Item = PayParameter>) -> Self {
        self.parameters = parameters.into_iter().collect();
        self
    }

    /// Adds one connector parameter.
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters.push(PayParameter::new(name, value));
        self
    }

    /// Replaces the custom prompts.
    pub fn prompts(mut self, prompts: impl IntoIterator<Item = PayPrompt>) -> Self {
        self.prompts = prompts.into_iter().collect();
        self
    }

    /// Adds one custom prompt.
    pub fn prompt(mut self, prompt: PayPrompt) -> Self {
        self.prompts.push(prompt);
        self
    }

    /// What the AI is told after the payment (default
    /// [`DEFAULT_PAY_AI_RESPONSE`]); `${pay_result}` is substituted.
    pub fn ai_response(mut self, text: impl Into<String>) -> Self {
        self.ai_response = Some(text.into());
        self
    }

    /// Sends `ai_response` as `null`, as the reference does when given `None`.
    pub fn without_ai_response(mut self) -> Self {
        self.ai_response = None;
        self
    }

    /// `set` (the AI's reply afterwards) followed by `pay`.
    fn into_verbs(mut self) -> Vec<Verb> {
        let set = SetAiResponse {
            ai_response: self.ai_response.take(),
        };
        vec![
            Verb::new("set", set),
            Verb::new("pay", PayParams::from(self)),
        ]
    }
}

/// Parameters of the `pay` verb, in the reference's order. Numbers and
/// flags are strings on the wire; the optional texts and lists are left out
/// when empty.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct PayParams {
    payment_connector_url: String,
    input: &'static str,
    payment_method: &'static str,
    timeout: String,
    max_attempts: String,
    security_code: &'static str,
    min_postal_code_length: String,
    token_type: &'static str,
    currency: String,
    language: String,
    voice: String,
    valid_card_types: String,
    postal_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    charge_amount: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parameters: Vec<ParameterWire>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    prompts: Vec<PromptWire>,
}

impl From<Pay> for PayParams {
    fn from(pay: Pay) -> Self {
        let postal_code = match pay.postal_code {
            PostalCode::Prompt(ask) => bool_str(ask).to_owned(),
            PostalCode::Known(code) => code,
        };
        PayParams {
            payment_connector_url: pay.payment_connector_url,
            input: pay.input_method.as_str(),
            payment_method: pay.payment_method.as_str(),
            timeout: pay.timeout.to_string(),
            max_attempts: pay.max_attempts.to_string(),
            security_code: bool_str(pay.security_code),
            min_postal_code_length: pay.min_postal_code_length.to_string(),
            token_type: pay.token_type.as_str(),
            currency: pay.currency,
            language: pay.language,
            voice: pay.voice,
            valid_card_types: join_wire(&pay.valid_card_types, CardType::as_str),
            postal_code,
            status_url: non_empty(pay.status_url),
            charge_amount: non_empty(pay.charge_amount),
            description: non_empty(pay.description),
            parameters: pay
                .parameters
                .into_iter()
                .map(ParameterWire::from)
                .collect(),
            prompts: pay.prompts.into_iter().map(PromptWire::from).collect(),
        }
    }
}

/// [`PayParameter`] as sent.
#[derive(Clone, Debug, PartialEq, Serialize)]
struct ParameterWire {
    name: String,
    value: String,
}

impl From<PayParameter> for ParameterWire {
    fn from(parameter: PayParameter) -> Self {
        ParameterWire {
            name: parameter.name,
            value: parameter.value,
        }
    }
}

/// [`PayPrompt`] as sent.
#[derive(Clone, Debug, PartialEq, Serialize)]
struct PromptWire {
    #[serde(rename = "for")]
    for_situation: String,
    actions: Vec<PromptActionWire>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_type: Option<String>,
}

impl From<PayPrompt> for PromptWire {
    fn from(prompt: PayPrompt) -> Self {
        PromptWire {
            for_situation: prompt.for_situation,
            actions: prompt
                .actions
                .into_iter()
                .map(PromptActionWire::from)
                .collect(),
            card_type: (!prompt.card_types.is_empty())
                .then(|| join_wire(&prompt.card_types, CardType::as_str)),
            error_type: non_empty(prompt.error_type),
        }
    }
}

/// [`PayPromptAction`] as sent.
#[derive(Clone, Debug, PartialEq, Serialize)]
struct PromptActionWire {
    #[serde(rename = "type")]
    kind: &'static str,
    phrase: String,
}

impl From<PayPromptAction> for PromptActionWire {
    fn from(action: PayPromptAction) -> Self {
        PromptActionWire {
            kind: action.kind.as_str(),
            phrase: action.phrase,
        }
    }
}

impl ToolResult {
    /// Collects a payment (SWML `set` + `pay`).
    pub fn pay(self, pay: Pay) -> Self {
        self.push(SwmlAction::run(pay.into_verbs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn pay_without_ai_response_sends_null_and_postal_code_flag() {
        let result = ToolResult::new("x").pay(
            Pay::new("https://p")
                .without_ai_response()
                .postal_code(false)
                .parameter("a", "1")
                .prompt(PayPrompt::new(
                    "payment-failed",
                    [PayPromptAction::play("https://a/b.wav")],
                )),
        );
        let body: Value = serde_json::from_slice(&result.to_json_vec()).expect("JSON");
        let main = &body["action"][0]["SWML"]["sections"]["main"];
        assert_eq!(main[0], json!({"set": {"ai_response": null}}));
        assert_eq!(main[1]["pay"]["postal_code"], "false");
        assert_eq!(
            main[1]["pay"]["parameters"],
            json!([{"name": "a", "value": "1"}])
        );
        assert_eq!(
            main[1]["pay"]["prompts"],
            json!([{"for": "payment-failed", "actions": [{"type": "Play", "phrase": "https://a/b.wav"}]}])
        );
    }
}
