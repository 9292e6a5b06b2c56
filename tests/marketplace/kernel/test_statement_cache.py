"""The statement cache keeps at most `size` statements and drops the least recently used."""

from marketplace.kernel.statement_cache import StatementCache


def test_a_shape_is_built_once_and_the_least_recently_used_is_dropped():
    built: list[str] = []

    def builder(key: str):
        def build():
            built.append(key)
            return f"statement {key}"
        return build

    cache = StatementCache(size=2)
    assert cache.get("a", builder("a")) == "statement a"
    assert cache.get("a", builder("a")) == "statement a"
    cache.get("b", builder("b"))
    cache.get("a", builder("a"))  # a is now the most recently used
    cache.get("c", builder("c"))  # drops b
    cache.get("a", builder("a"))
    cache.get("b", builder("b"))
    assert built == ["a", "b", "c", "b"]
    assert (cache.hits, cache.misses, len(cache)) == (3, 4, 2)
