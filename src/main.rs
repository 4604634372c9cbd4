//! The `symbiosim` binary: a thin main; everything happens in `cli`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
