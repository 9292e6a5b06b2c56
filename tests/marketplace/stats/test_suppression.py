from marketplace.stats.suppression import Figure, count_or_none, suppress_table


def _f(n):
    return Figure(n, n)


def test_single_counts_under_five_people_are_hidden_but_zero_is_shown():
    assert [count_or_none(n, n) for n in (0, 1, 4, 5)] == [0, None, None, 5]
    assert count_or_none(7, 3) is None  # seven placements, but only three people


def test_a_lone_hidden_cell_takes_the_smallest_other_cell_of_its_row_with_it():
    table = suppress_table({("A", "work"): _f(6), ("A", "studies"): _f(2), ("A", "other"): _f(9),
                            ("B", "work"): _f(7), ("B", "studies"): _f(8), ("B", "other"): _f(9)},
                           {"A": _f(17), "B": _f(24)}, {"work": _f(13), "studies": _f(10), "other": _f(18)}, _f(41))
    assert table.cells[("A", "studies")] is None and table.cells[("A", "work")] is None
    # Column work and studies now each have one hidden cell: B's cells follow, so nothing is derivable.
    assert table.cells[("B", "work")] is None and table.cells[("B", "studies")] is None
    assert table.cells[("A", "other")] == 9 and table.row_totals == {"A": 17, "B": 24} and table.grand_total == 41
    for row in ("A", "B"):
        assert sum(table.cells[(row, c)] is None for c in ("work", "studies", "other")) != 1
    for col in ("work", "studies", "other"):
        assert sum(table.cells[(r, col)] is None for r in ("A", "B")) != 1


def test_a_row_of_fewer_than_five_people_is_hidden_whole():
    table = suppress_table({("A", "work"): _f(3), ("B", "work"): _f(10)}, {"A": _f(3), "B": _f(10)}, {"work": _f(13)}, _f(13))
    assert table.row_totals["A"] is None and table.cells[("A", "work")] is None
    # One hidden row total against a published grand total would be derivable: B's total goes too.
    assert table.row_totals["B"] is None
