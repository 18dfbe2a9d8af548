"""Production hardening as a real browser sees it. The Content Security Policy: pages from this
site are not refused anything, and injected script or style is (which also proves the browser
tests notice a refusal: see content_security_policy_violations in conftest.py). And cookies
marked Secure, as production sends them, still work on the tests' http://localhost."""

from django.urls import reverse


def test_the_sign_in_page_arrives_with_its_policy_and_loads_without_refusals(
    page, live_server, content_security_policy_violations
):
    response = page.goto(f"{live_server.url}{reverse('login')}")

    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    # Bootstrap's stylesheet and script from this site were applied, not refused.
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"
    assert page.evaluate("typeof window.bootstrap") == "object"
    assert not [message for message in content_security_policy_violations if "Content Security Policy" in message]


def test_injected_script_and_style_are_refused_and_the_refusal_is_reported(
    page, live_server, content_security_policy_violations
):
    page.goto(f"{live_server.url}{reverse('login')}")

    # What a stored cross-site-scripting attack would put into a page.
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.body.appendChild(script);
            const styled = document.createElement('div');
            styled.setAttribute('style', 'color: red');
            document.body.appendChild(styled);
        }"""
    )
    page.wait_for_timeout(200)

    assert page.evaluate("window.injected === undefined")
    refused = [message for message in content_security_policy_violations if "Content Security Policy" in message]
    assert any("script" in message for message in refused), content_security_policy_violations
    assert any("style" in message for message in refused), content_security_policy_violations
    # Provoked on purpose: do not fail the test for it.
    content_security_policy_violations.clear()


def test_secure_cookies_work_on_localhost_so_the_browser_tests_run_as_production_does(page, live_server, settings):
    # Production's values, whatever DEBUG this run has.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    page.goto(f"{live_server.url}{reverse('login')}")

    csrf_cookie = next(cookie for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    assert csrf_cookie["secure"]
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    # The Secure cookie went back with the form over plain http: no "CSRF verification failed".
    assert "Please enter a correct username and password" in page.content()
    session_cookie = next(cookie for cookie in page.context.cookies() if cookie["name"] == "sessionid")
    assert session_cookie["secure"] and session_cookie["httpOnly"]
