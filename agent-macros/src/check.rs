//! Rules that span several items: duplicate names, argument shapes, summary
//! handlers.

use std::collections::HashMap;

use crate::ast::{AgentImpl, ParamKind};
use crate::ctxt::Ctxt;

pub(crate) fn is_valid_function_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && name.len() <= 64
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

pub(crate) fn check_route(route: &str) -> Result<(), &'static str> {
    let ok = route.starts_with('/')
        && route
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'))
        && !route.contains("//")
        && !route.split('/').any(|seg| seg == "." || seg == "..");
    if ok {
        Ok(())
    } else {
        Err(
            "`route` must start with `/` and contain only letters, digits, `-`, `_`, `.` and single `/` separators, e.g. `/bank`",
        )
    }
}

/// The grammar of `agent_runtime::ratelimit::Rate` (kept in step with it):
/// `N/sec|s|second|min|m|minute|hour|h` with N at least 1.
pub(crate) fn check_rate(rate: &str) -> Result<(), &'static str> {
    const MSG: &str = "`rate_limit` is written `N/sec`, `N/min` or `N/hour` with N at least 1 (also `s`, `second`, `m`, `minute`, `h`), e.g. `rate_limit = \"5/min\"`";
    let (n, unit) = rate.trim().split_once('/').ok_or(MSG)?;
    let n: u32 = n.trim().parse().map_err(|_| MSG)?;
    let unit_ok = matches!(
        unit.trim(),
        "s" | "sec" | "second" | "m" | "min" | "minute" | "h" | "hour"
    );
    if n == 0 || !unit_ok { Err(MSG) } else { Ok(()) }
}

pub(crate) fn check_impl(cx: &mut Ctxt, model: &AgentImpl) {
    check_duplicate_tools(cx, model);
    check_args_parameter(cx, model);
    if let Some(extra) = model.summaries.get(1) {
        cx.error_spanned_by(
            &extra.method.sig.ident,
            "only one method can be `#[on_summary]`",
        );
    }
    for s in &model.summaries {
        let owned = s
            .params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::Argument))
            .count();
        if owned != 1 {
            cx.error_spanned_by(
                &s.method.sig.ident,
                "an `#[on_summary]` method takes `&self`, optional context such as `&Call`, and one `summary: Option<Value>` parameter",
            );
        }
    }
}

fn check_duplicate_tools(cx: &mut Ctxt, model: &AgentImpl) {
    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
    for tool in &model.tools {
        if let Some(first) = seen.insert(tool.name.as_str(), &tool.method.sig.ident) {
            cx.syn_error(syn::Error::new(
                tool.name_span,
                format!(
                    "duplicate tool name `{}` (also used by method `{first}`); give one of them another `#[tool(name = \"...\")]`",
                    tool.name
                ),
            ));
        }
    }
}

/// A parameter named `args` is the whole argument object, so it must be the
/// only argument.
fn check_args_parameter(cx: &mut Ctxt, model: &AgentImpl) {
    for tool in &model.tools {
        let owned: Vec<_> = tool
            .params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::Argument))
            .collect();
        if owned.len() > 1
            && let Some(args) = owned.iter().find(|p| p.ident == "args")
        {
            cx.error_spanned_by(
                &args.ident,
                "a parameter named `args` is the whole argument object and must be the only argument; rename it or move the other arguments into its struct",
            );
        }
        for p in &owned {
            if p.ident == "args" && p.sensitive.is_some() {
                cx.error_spanned_by(
                    &p.ident,
                    "`#[sensitive]` on `args` would hide every field; mark the secret fields of the struct instead",
                );
            }
        }
    }
}
