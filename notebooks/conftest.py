"""nbval settings for the notebooks."""
import os
import tempfile

# The notebooks' kernels inherit this: their parse caches go to a private data
# home, so running the notebooks writes nothing into the checkout or ~/xxgk_data.
os.environ["XXGK_HOME"] = tempfile.mkdtemp(prefix="xxgk-nb-home-")
os.environ.pop("XXGK_CORPUS", None)


def pytest_collectstart(collector):
    # Figures are checked through their text repr; the PNG bytes depend on the
    # freetype build and are not compared.
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("image/png", "image/svg+xml")
