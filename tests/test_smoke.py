from tests.conftest import Invoke, exported


def test_seed_store_state_counts_the_trump_putin_calls(seeded: Invoke) -> None:
    import orjson

    result = seeded("state", "--as-of", "2025-12-28", "--known-at", "2025-12-28", "--json")
    assert result.exit_code == 0, result.output
    state = orjson.loads(result.stdout)
    groups = {tuple(group["participants"]): group for group in state["calls"]}
    assert groups[("putin", "trump")]["count"] == 3
    assert groups[("putin", "trump")]["claimed_count"] == 9


def test_export_of_small_store_is_stable(small_store: Invoke) -> None:
    assert exported(small_store) == exported(small_store)
