//! The files simplify reads under the folder it scans.

use grove_sdk::scope::Scope;

use grove_simplify::lang::Lang;

/// One glob for every file the scan reads under `scope`: sources of every
/// language, and the manifests that mark crate roots and entry points.
pub fn glob(scope: &Scope) -> String {
    let names: Vec<String> = Lang::EXTENSIONS
        .iter()
        .map(|ext| format!("*.{ext}"))
        .chain(["Cargo.toml".to_string(), "package.json".to_string()])
        .collect();
    scope.glob_of(&names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_glob_for_everything() {
        let g = glob(&Scope::resolve("", None).unwrap());
        assert!(g.starts_with("**/{*.rs,*.py,"), "{g}");
        assert!(g.ends_with(",Cargo.toml,package.json}"), "{g}");
        assert!(glob(&Scope::resolve("docs/[x]", None).unwrap()).starts_with(r"docs/\[x\]/**/{"));
    }
}
