"""nbval settings for the notebooks."""


def pytest_collectstart(collector):
    # Figures are checked through their text repr; the PNG bytes depend on the
    # freetype build and are not compared.
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("image/png", "image/svg+xml")
