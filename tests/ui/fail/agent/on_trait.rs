use agent_runtime::prelude::*;

#[agent]
trait Bank {
    fn open(&self);
}

fn main() {}
