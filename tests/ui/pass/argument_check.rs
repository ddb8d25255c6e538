// `#[tool(check = path)]`: a check that sees the decoded arguments, for
// separate parameters (one reference each, in order, context parameters
// left out) and for a whole `args` struct; and `#[sensitive(last_four)]`.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// Payments desk.
#[agent]
struct Desk;

/// A payment.
#[tool_args]
struct Payment {
    /// Account number.
    #[sensitive(last_four)]
    account: String,
    /// Amount in dollars.
    amount: f64,
}

fn small_only(_desk: &Desk, _call: &Call, payment: &Payment) -> Result<(), Refusal> {
    if payment.amount > 100.0 {
        return Err(Refusal::new("Too large.").with_reason("over_limit"));
    }
    Ok(())
}

impl Desk {
    fn known_account(&self, _call: &Call, account: &String, count: &u32) -> Result<(), Refusal> {
        if account.len() == 10 && *count < 5 {
            Ok(())
        } else {
            Err(Refusal::new("Unknown account."))
        }
    }
}

#[agent]
impl Desk {
    /// Pay.
    #[tool(secure, check = small_only)]
    async fn pay(&self, args: Payment) -> ToolResult {
        ToolResult::new(format!("{:.2}", args.amount))
    }

    /// Statements of an account.
    #[tool(check = Self::known_account)]
    fn statements(&self, caller: &Caller, #[sensitive(last_four)] account: String, count: u32) -> ToolResult {
        let _ = (caller, account);
        ToolResult::new(format!("{count} statements"))
    }
}

fn main() {
    let tools = Desk::tools();
    assert!(tools[0].checked && tools[1].checked);
    assert!(tools[0].guard.is_none());
    let payment = Payment {
        account: "1234567890".into(),
        amount: 5.0,
    };
    let debug = format!("{payment:?}");
    assert!(debug.contains("******7890") && !debug.contains("1234567890"));
    let _ = Desk.builder();
}
