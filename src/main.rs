//! The `imrlint` command: argument parsing and exit codes live in [`imrlint::cli`].

fn main() -> std::process::ExitCode {
    imrlint::cli::main()
}
