import pytest
from helpers import REPO


@pytest.fixture
def seed_text() -> str:
    return (REPO / "examples" / "leaf_species_cnn.py").read_text()
