//! Writes the man pages and shell completions of the four stages and of the
//! `pydyndns` wrapper, from their clap definitions (`dyndns::args`):
//!
//! ```sh
//! cargo run --example gen-docs -- target/assets
//! ```
//!
//! gives `man/*.1`, `man/pydyndns.8`, `man/pydyndns.conf.5` (from
//! `doc/pydyndns.conf.5`), `completions/bash/NAME`, `completions/zsh/_NAME`
//! and `completions/fish/NAME.fish`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap_complete::Shell;

fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: gen-docs OUTDIR");
        return ExitCode::from(2);
    };
    match generate(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-docs: {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}

fn generate(out: &Path) -> std::io::Result<()> {
    let man = out.join("man");
    fs::create_dir_all(&man)?;
    for mut cmd in dyndns::args::commands() {
        let name = cmd.get_name().to_owned();
        // The wrapper is an administrator's command (section 8); the stages are tools (section 1).
        let section = if name == "pydyndns" { "8" } else { "1" };
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd.clone())
            .section(section)
            .manual("dyndns")
            .render(&mut page)?;
        fs::write(man.join(format!("{name}.{section}")), page)?;
        for (shell, dir, file) in [
            (Shell::Bash, "bash", name.clone()),
            (Shell::Zsh, "zsh", format!("_{name}")),
            (Shell::Fish, "fish", format!("{name}.fish")),
        ] {
            let dir = out.join("completions").join(dir);
            fs::create_dir_all(&dir)?;
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut cmd, name.clone(), &mut text);
            fs::write(dir.join(file), text)?;
        }
    }
    let conf5 = Path::new(env!("CARGO_MANIFEST_DIR")).join("doc/pydyndns.conf.5");
    fs::copy(conf5, man.join("pydyndns.conf.5"))?;
    Ok(())
}
