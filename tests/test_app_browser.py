"""The chat app in a real browser: Debian's chromium driven by Playwright, the app on loopback with the tiny model.
It asks a question with RAG on and checks that the Thinking block, the answer and the cited sources appear."""
import os, socket, subprocess, sys, time
from pathlib import Path
import pytest

CHROMIUM = os.environ.get('MEDCOT_CHROMIUM', '/usr/bin/chromium')
ART = Path(__file__).parent/'artifacts'
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f'no chromium at {CHROMIUM} (.ci/run installs it)')

@pytest.fixture(scope='module')
def app_url():
    pytest.importorskip('gradio'); pytest.importorskip('playwright')
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    env = dict(os.environ, HF_HUB_OFFLINE='1', GRADIO_ANALYTICS_ENABLED='False', NO_PROXY='127.0.0.1,localhost', no_proxy='127.0.0.1,localhost')
    p = subprocess.Popen([sys.executable, '-m', 'medcot', 'chat', 'tiny', '--rag', 'sample', '--port', str(port), '--max-new-tokens', '48'],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    url, t0 = f'http://127.0.0.1:{port}/', time.time()
    import urllib.request
    while time.time() - t0 < 120:
        if p.poll() is not None: pytest.fail('app exited:\n' + p.stdout.read()[-3000:])
        try: urllib.request.urlopen(url, timeout=2); break
        except Exception: time.sleep(1)
    else: p.kill(); pytest.fail('app did not start in 120 s')
    yield url
    p.terminate(); p.wait(timeout=20)

@pytest.fixture(scope='module')
def page(app_url):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                               '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'])
        pg = b.new_page(viewport={'width': 1280, 'height': 900})
        pg.goto(app_url); pg.wait_for_selector('#msg textarea', timeout=60_000)
        yield pg
        b.close()

def ask(page, text):
    box = page.locator('#msg textarea')
    box.fill(text); page.locator('#send').click()

def test_question_with_rag_shows_thinking_answer_and_sources(page):
    assert page.locator('#rag input[type=checkbox]').is_checked()
    ask(page, 'What dose of intramuscular adrenaline is given for anaphylaxis?')
    page.get_by_text('Thinking').first.wait_for(timeout=90_000)
    page.locator('#sources').get_by_text('Anaphylaxis').first.wait_for(timeout=90_000)
    bot = page.locator('#chat .message.bot, #chat [data-testid="bot"]')
    page.wait_for_function("() => !document.querySelector('#chat .pending') && document.querySelectorAll('#chat .message-row').length >= 2", timeout=90_000)
    time.sleep(1)
    ART.mkdir(exist_ok=True); page.screenshot(path=str(ART/'chat.png'), full_page=True)
    chat_text = page.locator('#chat').inner_text()
    assert 'Thinking' in chat_text
    assert bot.count() >= 2, chat_text[-500:]   # the thinking block and the answer
    answer = bot.last.inner_text().strip()
    assert answer and 'Thinking' not in answer, chat_text[-500:]
    assert '[1]' in page.locator('#sources').inner_text()

@pytest.mark.parametrize('text', ['', 'x' * 5000, 'Fièvre 🤒 — 发烧? <script>alert(1)</script>'])
def test_bad_input_never_shows_a_traceback(page, text):
    page.locator('#msg textarea').fill(text); page.locator('#send').click()
    time.sleep(3)
    body = page.locator('body').inner_text()
    assert 'Traceback' not in body and 'Error' not in page.locator('#chat').inner_text()
    if len(text) > 4000: assert 'the limit is 4,000' in page.locator('#notice').inner_text()
