//! `--help` of the tool and every subcommand, snapshotted (refresh with TRYCMD=overwrite).

#[test]
fn help_snapshots() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}
