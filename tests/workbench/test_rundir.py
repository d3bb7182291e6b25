from reprlab.workbench.rundir import out_of_date, record_files


def test_a_run_is_out_of_date_when_a_file_it_read_changes_or_one_it_wrote_goes(tmp_path):
    run_dir, bank, made = tmp_path / "run", tmp_path / "bank.npy", tmp_path / "made.npy"
    run_dir.mkdir()
    bank.write_bytes(b"labels")
    made.write_bytes(b"output")
    record_files(run_dir, read=(bank,), wrote=(made,))
    assert out_of_date(run_dir) == ""
    bank.write_bytes(b"labels, edited")
    assert out_of_date(run_dir) == f"{bank}, which it read, has changed since"
    record_files(run_dir, read=(bank,))  # recorded again: up to date
    made.unlink()
    assert out_of_date(run_dir) == f"{made}, which it wrote, is missing"
    assert out_of_date(tmp_path) == ""  # a run that recorded nothing


def test_a_run_whose_metrics_are_damaged_is_out_of_date(tmp_path):
    (tmp_path / "metrics.json").write_text('{"test_accuracy": 0.9')
    assert out_of_date(tmp_path).startswith(f"its {tmp_path / 'metrics.json'} is damaged (JSONDecodeError")
