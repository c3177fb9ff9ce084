use std::process::ExitCode;

fn main() -> ExitCode {
    skaffold::run()
}
