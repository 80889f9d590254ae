"""What both the dataset card and the Croissant metadata say about a dataset: name, summary,
licence and how to cite it."""

from __future__ import annotations

from tvt.records import Manifest

#: Licence of the generated data (the same as the tool's).
LICENSE_NAME = "MIT"
LICENSE_URL = "https://spdx.org/licenses/MIT.html"

PAPER_BIBTEX = """@inproceedings{bn2025thousand,
  title     = {Thousand Voices of Trauma: A Large-Scale Synthetic Dataset for Modeling
               Prolonged Exposure Therapy Conversations},
  author    = {Suhas BN and others},
  booktitle = {Advances in Neural Information Processing Systems, Datasets and Benchmarks Track},
  year      = {2025},
  eprint    = {2504.13955},
  archivePrefix = {arXiv}
}"""


def tvt_bibtex(version: str) -> str:
    """BibTeX entry for the tool itself."""
    return (
        "@software{tvt,\n"
        "  title   = {tvt: synthetic Prolonged Exposure therapy conversations and the\n"
        "             emotional-trajectory benchmark},\n"
        f"  version = {{{version}}},\n"
        "  note    = {Reproduces and repairs the Thousand Voices of Trauma dataset generator}\n"
        "}"
    )


def dataset_name(manifest: Manifest) -> str:
    """A stable name such as ``tvt-default-seed42-500-clients``."""
    recorded = manifest.get("config")
    config = (recorded["name"] if recorded else None) or "data"
    seed = manifest.get("seed")
    seed_part = f"-seed{seed}" if seed is not None else ""
    return f"tvt-{config}{seed_part}-{manifest.get('clients', 0)}-clients"


def summary(manifest: Manifest) -> str:
    """One paragraph: what the dataset is, how big, what made it, and what it is not for."""
    backend = (manifest.get("backend") or {}).get("name", "unknown")
    return (
        f"Synthetic Prolonged Exposure (PE) therapy conversations for PTSD: "
        f"{manifest.get('clients', 0)} synthetic clients, one conversation per PE phase, "
        f"with reference emotional-intensity trajectories; produced by tvt "
        f"{manifest.get('tvt_version', '?')} ({backend} backend). Research and training use "
        "only; not for clinical use or diagnosis."
    )
