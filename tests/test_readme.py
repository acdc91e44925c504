import subprocess, sys
from conftest import ROOT

def test_readme_is_rendered_from_index():
    r = subprocess.run([sys.executable, str(ROOT/'.ci'/'readme.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

def test_readme_has_the_two_fresh_machine_commands():
    text = (ROOT/'README.md').read_text()
    assert 'medcot train --preset tiny' in text and 'bash .ci/run' in text
