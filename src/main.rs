use clap::Parser;
use schemagate::cli::{Cli, Command, Format};
use schemagate::github::stop_commands;

/// Stack for the command and for rayon's workers: walks over a statement's tree recurse as
/// deep as it nests (`sql::MAX_EXPRESSION_DEPTH` bounds that), and the default 2 MiB of a
/// spawned thread is too little for that in a debug build. Only touched pages are committed.
const STACK_BYTES: usize = 256 << 20;

/// mimalloc: a lint spends a quarter of its time allocating and freeing syntax trees, and
/// mimalloc does that in about half the time glibc's malloc takes (README, "Benchmark").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_t` (the `test` below checks it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the system this many milliseconds after it is freed. mimalloc
/// 3 waits a second, and a folder's freed trees then still count while the next folder's
/// are built: peak memory half again as high.
const PURGE_DELAY_MS: std::ffi::c_long = 10;

fn main() {
    // SAFETY: sets an option before any thread is started; mimalloc reads it when it purges.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    let cli = Cli::parse();
    let runner = stop_commands::runner_reads_output(
        matches!(cli.command, Command::Action),
        cli.command.format() == Some(Format::Github),
    );
    if runner {
        let action = matches!(cli.command, Command::Action);
        let format = cli.command.format();
        stop_commands::stop(action || matches!(format, Some(Format::Tty | Format::Github)));
    }
    // Fails only if a pool exists already, and then that one is used.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_BYTES)
        .build_global();
    let outcome = std::thread::Builder::new()
        .name("schemagate".into())
        .stack_size(STACK_BYTES)
        .spawn(move || schemagate::commands::run(cli))
        .map_err(|error| format!("cannot start the main thread: {error}"))
        .and_then(|thread| {
            thread
                .join()
                .map_err(|_| "schemagate panicked (a bug: please report it)".to_string())
        });
    let code = match outcome {
        Ok(Ok(passed)) => i32::from(!passed),
        Ok(Err(failure)) => {
            eprintln!("error: {failure}");
            failure.exit_code()
        }
        Err(message) => {
            eprintln!("error: {message}");
            101
        }
    };
    schemagate::postgres::cleanup::wait_if_interrupted();
    if runner {
        stop_commands::resume();
    }
    std::process::exit(code);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_mimallocs() {
        // mimalloc 3's default purge delay is 1000 ms; a different value here means the
        // option's number points at another option.
        // SAFETY: reads an option.
        assert_eq!(
            unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
            1000
        );
    }
}
