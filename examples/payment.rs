//! PCI-safe card payments: the model never sees, hears or handles card
//! data. `collect_payment` hands the call to the platform's `pay` verb, which
//! collects the card by keypad (DTMF) and sends it straight to the payment
//! connector; the model only learns the outcome (`${pay_result}`), which it
//! passes to `payment_status`.
//!
//! ```text
//! PAYMENT_CONNECTOR_URL=https://pay.example.com/connector cargo run --example payment
//! ```
//!
//! No tool has a card-number, expiry or security-code parameter, and the
//! amount comes from the invoice on file, never from the conversation.

use std::collections::HashMap;

use agent_runtime::action::{CardType, PayInputMethod};
use agent_runtime::prelude::*;

/// Connector used when `PAYMENT_CONNECTOR_URL` is not set.
pub const DEFAULT_CONNECTOR_URL: &str = "https://pay.example.com/connector";

/// The demo customer's phone.
pub const DEMO_NUMBER: &str = "+15551230000";

/// What the model is told after the `pay` verb finished.
pub const PAY_AI_RESPONSE: &str = "The payment result is ${pay_result}. Call payment_status with exactly that value and follow its instructions.";

/// An invoice number such as `INV-004211`.
#[tool_args]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InvoiceNumber(#[schemars(regex(pattern = r"^INV-[0-9]{6}$"))] pub String);

/// The platform's `pay_result` values, as documented for the `pay` verb.
#[tool_args]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PayOutcome {
    /// The connector accepted the payment.
    Success,
    /// The caller entered invalid details too many times.
    TooManyFailedAttempts,
    /// The connector failed or refused.
    PaymentConnectorError,
    /// The caller pressed `*` to leave.
    CallerInterruptedWithStar,
    /// The collection was stopped by a `stop` command.
    RelayPayStop,
    /// The caller hung up during collection.
    CallerHungUp,
    /// The `pay` parameters were invalid.
    ValidationError,
    /// An error inside the platform.
    InternalError,
}

/// Billing line of Example Utilities.
#[agent(name = "payment")]
#[derive(Debug)]
pub struct Billing {
    connector_url: String,
    /// Open invoices: number → (amount as "12.34", owner's phone).
    invoices: HashMap<&'static str, (&'static str, &'static str)>,
}

impl Billing {
    /// A biller using `connector_url`, with one open demo invoice.
    pub fn new(connector_url: impl Into<String>) -> Self {
        Billing {
            connector_url: connector_url.into(),
            invoices: HashMap::from([("INV-004211", ("42.50", DEMO_NUMBER))]),
        }
    }
}

#[agent]
impl Billing {
    /// Take a card payment for one of the caller's open invoices. The caller
    /// enters the card on the keypad; never ask for card details out loud.
    #[tool(secure)]
    async fn collect_payment(&self, call: &Call, invoice: InvoiceNumber) -> ToolResult {
        let found = self
            .invoices
            .get(invoice.0.as_str())
            .filter(|(_, owner)| Some(*owner) == call.caller().number());
        let Some((amount, _)) = found else {
            return ToolResult::new("There is no open invoice with that number for this caller.");
        };
        ToolResult::new(format!(
            "Collecting {amount} dollars for invoice {} by keypad.",
            invoice.0
        ))
        .say("Please enter your card number on your keypad, followed by the pound key.")
        .pay(
            Pay::new(&self.connector_url)
                .input_method(PayInputMethod::Dtmf)
                .charge_amount(*amount)
                .currency("usd")
                .description(format!("Invoice {}", invoice.0))
                .max_attempts(3)
                .security_code(true)
                .postal_code(true)
                .valid_card_types([CardType::Visa, CardType::Mastercard, CardType::Amex])
                .parameter("invoice", invoice.0.as_str())
                .ai_response(PAY_AI_RESPONSE),
        )
        .update_global_data(json!({"payment_invoice": invoice.0}))
    }

    /// Report the outcome of the keypad payment. Pass the `pay_result` value
    /// you were given, unchanged.
    #[tool]
    async fn payment_status(&self, call: &Call, pay_result: PayOutcome) -> ToolResult {
        let invoice = call
            .global_data()
            .get_as::<String>("payment_invoice")
            .unwrap_or_else(|| "the invoice".to_owned());
        let (text, paid) = match pay_result {
            PayOutcome::Success => (
                format!("The payment for {invoice} went through. Thank the caller; do not mention card details."),
                true,
            ),
            PayOutcome::TooManyFailedAttempts => (
                "The card could not be read after several attempts. Offer to try once more or to pay online.".to_owned(),
                false,
            ),
            PayOutcome::PaymentConnectorError => (
                "The payment processor could not complete the payment. Nothing was charged. Suggest trying later.".to_owned(),
                false,
            ),
            PayOutcome::CallerInterruptedWithStar | PayOutcome::RelayPayStop => (
                "The payment was cancelled before it finished. Nothing was charged. Ask whether to try again.".to_owned(),
                false,
            ),
            PayOutcome::CallerHungUp => (
                "The caller left during the payment. Nothing was charged.".to_owned(),
                false,
            ),
            PayOutcome::ValidationError | PayOutcome::InternalError => (
                "The payment could not be started because of a problem on our side. Nothing was charged. Apologise and suggest paying online.".to_owned(),
                false,
            ),
        };
        ToolResult::new(text).update_global_data(json!({"payment_completed": paid}))
    }
}

/// The configured agent with an explicit connector URL (shared with the tests).
pub fn builder_with_connector(connector_url: &str) -> AgentBuilder<Billing> {
    Billing::new(connector_url)
        .builder()
        .section(Section::new("Role").body("You take payments for Example Utilities invoices."))
        .section(
            Section::new("Card data")
                .bullet("Never ask the caller to say a card number, expiry date or security code.")
                .bullet("If the caller starts to read card details aloud, stop them politely and use collect_payment.")
                .bullet("Card details are entered on the keypad and go straight to the payment processor."),
        )
        .post_prompt("Summarize the call as JSON with keys: invoice, paid. No card details.")
}

/// The configured agent, connector from `PAYMENT_CONNECTOR_URL`.
pub fn builder() -> AgentBuilder<Billing> {
    let url =
        std::env::var("PAYMENT_CONNECTOR_URL").unwrap_or_else(|_| DEFAULT_CONNECTOR_URL.to_owned());
    builder_with_connector(&url)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    builder().run_cli()
}
