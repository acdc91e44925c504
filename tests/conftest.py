import os, sys
from pathlib import Path
os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')
os.environ.setdefault('MPLBACKEND', 'Agg')
import pytest

ROOT = Path(__file__).parent.parent
DEMO = ROOT.parent/'shared'/'data'/'medical_o1_demo.json'

@pytest.fixture(scope='session')
def tiny():
    from medcot.quant import build_tiny_model
    return build_tiny_model()

@pytest.fixture(scope='session')
def tok(tiny):
    from medcot.tokenizer import load_tokenizer
    return load_tokenizer(tiny)

def run_medcot(*args, timeout=600, **kw):
    "Run the `medcot` console script in a fresh process (backends such as Unsloth patch libraries globally)."
    import subprocess
    return subprocess.run([sys.executable, '-m', 'medcot', *args], capture_output=True, text=True, timeout=timeout, **kw)
