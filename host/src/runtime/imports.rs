//! Which of a component's imports the linker lacks, read from the
//! component's own type rather than from the text of wasmtime's error.
//!
//! The linker answers no "is this defined?" question, but it refuses to
//! define a name twice: on a copy of it, defining each function the
//! component imports succeeds exactly for those that were missing.

use wasmtime::Engine;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};

/// The imports of `component` that `linker` does not provide: whole
/// instances by name (`grove:skill/browser@0.2.0`), single functions as
/// `instance#function`.
pub fn missing<T: 'static>(linker: &Linker<T>, engine: &Engine, component: &Component) -> Vec<String> {
    let mut probe = linker.clone();
    probe.allow_shadowing(false);
    let ty = component.component_type();
    let mut missing = Vec::new();
    for (name, item) in ty.imports(engine) {
        match item.ty {
            ComponentItem::ComponentInstance(instance) => {
                let Ok(mut defined) = probe.instance(name) else {
                    missing.push(name.to_string());
                    continue;
                };
                let functions: Vec<&str> = instance
                    .exports(engine)
                    .filter(|(_, e)| matches!(e.ty, ComponentItem::ComponentFunc(_)))
                    .map(|(f, _)| f)
                    .collect();
                let absent: Vec<&str> = functions
                    .iter()
                    .copied()
                    .filter(|f| defined.func_new(f, |_, _, _, _| Ok(())).is_ok())
                    .collect();
                if !absent.is_empty() && absent.len() == functions.len() {
                    missing.push(name.to_string());
                } else {
                    missing.extend(absent.iter().map(|f| format!("{name}#{f}")));
                }
            }
            ComponentItem::ComponentFunc(_) if probe.root().func_new(name, |_, _, _, _| Ok(())).is_ok() => {
                missing.push(name.to_string());
            }
            _ => {}
        }
    }
    missing
}
