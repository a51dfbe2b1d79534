use anyhow::{Context, Result, bail};

use crate::check::{self, Options, Report};
use crate::cli::{CheckArgs, CheckFormat};
use crate::context::Ctx;
use crate::error::Outcome;
use crate::fsio::{self, Existing};
use crate::output::Output;

pub fn run(args: &CheckArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    if let Some(path) = &args.out
        && let Some(keys) = ctx.keys.file()
        && fsio::store_file_at(path, keys).is_some()
    {
        bail!(
            "{}: this is the key store or its lock file, which --out would replace (write the result to another file)",
            path.display()
        );
    }
    let opts = Options {
        published: &args.published,
        ca_file: args.ca_file.as_deref(),
        rotation_period: args.rotation_period,
        cache_ttl: args.cache_ttl,
    };
    let report = match check::run(ctx, &opts) {
        Ok(report) => report,
        Err(e) if args.format == CheckFormat::Prometheus => {
            // A stale metrics file must not keep reporting health.
            let unreadable = Report::unreadable(ctx.now, &args.published);
            return match emit(args, &unreadable, false, out) {
                Ok(()) => Err(e),
                Err(write) => Err(e.context(format!("{write:#}"))),
            };
        }
        Err(e) => return Err(e),
    };
    emit(args, &report, true, out)?;
    Ok(if report.ok() {
        Outcome::Done
    } else {
        Outcome::Rejected
    })
}

/// Writes the result; `status` says how many findings went to `--out`.
fn emit(args: &CheckArgs, report: &Report, status: bool, out: &mut Output) -> Result<()> {
    let text = match args.format {
        CheckFormat::Text => report.text(),
        CheckFormat::Json => report.json_lines(),
        CheckFormat::Prometheus => report.prometheus(),
    };
    match &args.out {
        None => out.data_raw(text.as_bytes()),
        Some(path) => {
            // Through a symlink, the file the collector reads is replaced;
            // node_exporter often runs as another user, hence 0644.
            let target = fsio::resolve(path);
            fsio::write_atomic(&target, text.as_bytes(), 0o644, Existing::Replace)
                .with_context(|| format!("cannot write --out {}", path.display()))?;
            let n = report.findings.len();
            if !status {
                return Ok(());
            }
            out.status(format_args!(
                "wrote {n} finding{} to {}",
                if n == 1 { "" } else { "s" },
                path.display()
            ));
            Ok(())
        }
    }
}
