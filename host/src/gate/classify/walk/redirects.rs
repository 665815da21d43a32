//! Redirects: files read and written, and what here-docs, here-strings and
//! process substitutions feed a command's standard input.

use super::Walker;
use super::access::Reader;
use super::flow::{Flow, Stdin, Taint};
use crate::gate::classify::paths::Zone;
use crate::gate::classify::shell::{RedirOp, Simple};
use crate::gate::level::Level;

impl Walker<'_, '_> {
    pub(super) fn redirects(&mut self, s: &Simple, flow: Flow) -> Flow {
        for r in &s.redirects {
            let target = self.expand(&r.target);
            match r.op {
                RedirOp::Dup => {}
                RedirOp::In => {
                    if target.taint != Taint::default() || !target.known {
                        self.sink(flow.stdin, target.taint, "a process substitution");
                    } else {
                        self.read(&target, Reader::Content);
                        if flow.stdin == Stdin::Code {
                            self.a.raise(
                                Level::Medium,
                                "shell.script",
                                format!("a shell runs the script `{}`", target.text),
                            );
                        } else if flow.stdin == Stdin::Upload
                            && self.locate(&target).is_some_and(|l| l.zone == Zone::Secret)
                        {
                            self.sink(Stdin::Upload, Taint::SECRET, "a redirect");
                        }
                    }
                }
                RedirOp::Out | RedirOp::Append | RedirOp::ReadWrite => {
                    // `>` truncates before anything is written.
                    if r.op == RedirOp::Out {
                        self.replace(&target);
                    } else {
                        self.write(&target);
                    }
                    if flow.out.sensitive() {
                        self.taint_file(&target);
                    }
                }
                RedirOp::HereDoc | RedirOp::HereString => {
                    let body = match &r.body {
                        Some(b) => self.expand(b),
                        None => target.clone(),
                    };
                    if flow.stdin == Stdin::Code {
                        if body.known && body.taint == Taint::default() {
                            self.nested_line(&body.text, "a here-doc");
                        } else {
                            self.sink(Stdin::Code, body.taint, "a here-doc");
                        }
                    } else {
                        self.sink(flow.stdin, body.taint, "a here-doc");
                    }
                }
            }
        }
        flow
    }
}
