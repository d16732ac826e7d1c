use clap::Parser;
use schemagate::cli::Cli;

fn main() {
    let cli = Cli::parse();
    let code = match schemagate::commands::run(cli) {
        Ok(passed) => i32::from(!passed),
        Err(failure) => {
            eprintln!("error: {failure}");
            failure.exit_code()
        }
    };
    schemagate::postgres::cleanup::wait_if_interrupted();
    std::process::exit(code);
}
