//! The `imrlint` command: argument parsing and exit codes live in [`imrlint::cli`].

/// mimalloc instead of the system allocator: see `Cargo.toml` and README,
/// "Dependencies".
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    imrlint::cli::main()
}
