"""Drives a real Moodle's own pages in headless Chromium against a running LabGate, as its
people would: the site admin registers LabGate with an invitation and puts it in the
activity chooser, the teacher adds labs with Deep Linking, students open theirs embedded and
in a new window, the teacher opens LabGate's course page and grades a student there, the
grade appears in Moodle's own gradebook (LTI AGS), and the teacher reads Moodle's roster
into LabGate (LTI NRPS).

Usage: e2e.py MOODLE_ENV LABGATE_URL INVITATION_FILE SHOTS_DIR [--resolve HOST,HOST]
Prints one line per step with its time, then a closing line; exits 1 at the first failure
(after a screenshot of it)."""
import argparse
import base64
import hashlib
import os
import sys
import time
from urllib.parse import urlparse

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

# Steps a student's launch may take (login initiation, Moodle's auth, the progress page, the
# clone on the simulator) before the suite calls it stuck.
DESKTOP_PATIENCE = 90


class Failure(Exception):
    pass


class Suite:
    def __init__(self, args):
        self.env = {}
        for line in open(args.moodle_env):
            if "=" in line:
                key, value = line.strip().split("=", 1)
                self.env[key] = value.strip("'")
        self.moodle = self.env["MOODLE_URL"]
        self.labgate = args.labgate_url.rstrip("/")
        self.invitation = open(args.invitation).read().strip()
        self.shots = args.shots
        self.mode = args.mode
        self.resolve = [h for h in (args.resolve or "").split(",") if h]
        self.spki = args.spki
        self.passed = []
        self.timings = []
        self.driver = None

    # --- the browser -------------------------------------------------------------------

    def open_browser(self):
        """A fresh browser (no cookies): one per person, as each has their own computer."""
        if self.driver:
            self.driver.quit()
        options = webdriver.ChromeOptions()
        for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"]:
            options.add_argument(flag)
        if self.resolve:
            rules = ", ".join(f"MAP {host} 127.0.0.1" for host in self.resolve)
            options.add_argument(f"--host-resolver-rules={rules}")
        if self.spki:
            # Trusts the script's own certificates as a university's machines trust its CA.
            options.add_argument(f"--ignore-certificate-errors-spki-list={self.spki}")
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(60)
        self.wait = WebDriverWait(self.driver, 30)

    def settle(self):
        d = self.driver
        self.wait.until(lambda _: d.execute_script("return document.readyState") == "complete")
        self.wait.until(lambda _: d.execute_script(
            "return !(window.M && M.util && M.util.pending_js && M.util.pending_js.length)"))
        # A newcomer's user tour covers the page; people skip it.
        for skip in d.find_elements(By.CSS_SELECTOR, "[data-flexitour] button[data-role=end]"):
            if skip.is_displayed():
                skip.click()

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(self.shots, f"{len(self.passed) + 1:02d}-{name}.png"))

    def find(self, css, timeout=30):
        try:
            return WebDriverWait(self.driver, timeout).until(
                lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()), None))
        except TimeoutException:
            raise Failure(f"no visible {css} on {self.driver.current_url} after {timeout} s")

    def log_in(self, username, password):
        self.open_browser()
        self.driver.get(self.moodle + "/login/index.php")
        self.find("#username").send_keys(username)
        self.find("#password").send_keys(password)
        self.find("#loginbtn").click()
        self.settle()
        if "/login/" in self.driver.current_url:
            raise Failure(f"Moodle did not log {username} in")

    # --- the steps ---------------------------------------------------------------------

    def step(self, name, action):
        """Runs one step; False (after a screenshot and the reason) when it failed."""
        started = time.monotonic()
        try:
            detail = action()
        except Exception as error:  # noqa: BLE001 — any failure ends the suite, with its screenshot
            if self.driver:
                self.shot(f"failed-{name.replace(' ', '-')}")
            print(f"FAIL {name}: {error}", flush=True)
            return False
        self.passed.append(name)
        print(f"ok   {len(self.passed):2d} {name} ({time.monotonic() - started:.1f} s){': ' + detail if detail else ''}", flush=True)
        return True

    def register(self):
        self.log_in("admin", self.env["MOODLE_ADMIN_PASSWORD"])
        self.driver.get(self.moodle + "/mod/lti/toolconfigure.php")
        self.settle()
        self.find("#tool-url").send_keys(self.invitation)
        self.shot("admin-pastes-invitation")
        self.find("#tool-create-button").click()
        # With a valid invitation LabGate registers itself active and closes Moodle's dialog.
        card = self.tool_card(timeout=45)
        self.shot("admin-sees-pending-tool")
        activate = card.find_elements(By.CSS_SELECTOR, "a.activate")
        if not activate or not activate[0].is_displayed():
            raise Failure("the new tool has no Activate button")
        activate[0].click()
        # Moodle draws the card again once the tool is active.
        self.wait.until(lambda d: d.execute_script(
            "return [...document.querySelectorAll('.tool-card a.activate')].every(a => a.offsetParent === null)"))
        self.type_id = self.tool_card().get_attribute("data-type-id")
        self.shot("admin-activated-tool")
        return f"tool type {self.type_id}, closed its own dialog"

    def tool_card(self, timeout=30):
        return self.find(".tool-card[data-type-id]", timeout)

    def put_in_activity_chooser(self):
        self.driver.get(self.tool_card().find_element(By.CSS_SELECTOR, "a.edit").get_attribute("href"))
        self.settle()
        usage = self.find("#id_lti_coursevisible")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", usage)
        Select(usage).select_by_value("2")
        self.shot("admin-tool-configuration-usage")
        self.find("#id_submitbutton").click()
        self.settle()
        return "Show in activity chooser and as a preconfigured tool"

    def add_labs(self):
        self.log_in("teacher1", self.env["MOODLE_TEACHER1_PASSWORD"])
        course = self.env["MOODLE_COURSE_ID"]
        self.driver.get(f"{self.moodle}/course/view.php?id={course}")
        self.settle()
        # The "Edit mode" switch (its input is drawn over by the switch's picture).
        if self.driver.execute_script("return !document.querySelector('input[name=setmode]').checked"):
            self.driver.execute_script("document.querySelector('input[name=setmode]').click()")
            self.wait.until(lambda d: d.execute_script("return document.body.classList.contains('editing')"))
        self.settle()
        chooser = self.find("#section-0 button[data-action=open-chooser]")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", chooser)
        item = self.find(f"a[href*='typeid={self.type_id}']")
        self.shot("teacher-activity-chooser")
        self.driver.get(item.get_attribute("href"))
        self.settle()
        self.find("#id_selectcontent").click()
        frame = self.find("#contentitem-page-iframe")
        self.driver.switch_to.frame(frame)
        boxes = WebDriverWait(self.driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "input[name=environment]"))
        for box in boxes[:2]:
            box.click()
        self.shot("teacher-picks-environments")
        self.find("button[type=submit]").click()
        self.driver.switch_to.default_content()
        self.find("#id_submitbutton2").click()
        self.wait.until(lambda d: "/course/view.php" in d.current_url)
        self.settle()
        self.activities = self.lab_links()
        if len(self.activities) != len(boxes[:2]):
            raise Failure(f"{len(boxes[:2])} environments picked, {len(self.activities)} activities on the course")
        self.shot("teacher-course-with-labs")
        return f"{len(self.activities)} activities from one Deep Linking choice"

    def lab_links(self):
        links = self.driver.find_elements(By.CSS_SELECTOR, "li.activity.modtype_lti a[href*='/mod/lti/view.php?id=']")
        return list(dict.fromkeys(a.get_attribute("href") for a in links))

    def teacher_course_page(self, expect_students):
        self.log_in("teacher1", self.env["MOODLE_TEACHER1_PASSWORD"])
        self.driver.get(self.activities[0])
        self.enter_lab_frame()
        WebDriverWait(self.driver, 30).until(lambda d: d.find_elements(By.ID, "roster"))
        body = self.driver.find_element(By.TAG_NAME, "body").text
        rows = len(self.driver.find_elements(By.CSS_SELECTOR, "#roster tr"))
        if expect_students and rows < expect_students:
            raise Failure(f"the course page lists {rows} labs, expected {expect_students}")
        if not expect_students and "not opened yet" not in body:
            raise Failure("the second activity is not on the course page as 'not opened yet'")
        self.driver.switch_to.default_content()
        self.shot("teacher-course-page" if expect_students else "teacher-course-page-before-students")
        return f"{rows} students' labs listed" if expect_students else "second activity listed as not opened yet"

    def teacher_grades(self):
        """The teacher grades Ada on LabGate's course page; the grade must land in Moodle's own gradebook (AGS)."""
        self.log_in("teacher1", self.env["MOODLE_TEACHER1_PASSWORD"])
        self.driver.get(self.activities[0])
        self.enter_lab_frame()

        def adas_row(driver):
            return next((row for row in driver.find_elements(By.CSS_SELECTOR, "table.grades tr[data-student]") if "Ada Lovelace" in row.text), None)
        row = WebDriverWait(self.driver, 30).until(adas_row)
        score = row.find_element(By.NAME, "score")
        score.clear()
        score.send_keys("87")
        row.find_element(By.NAME, "comment").send_keys("Checked by hand")
        row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

        def adas_state(driver):
            # The page is replaced after the post and after each reload: a row read as it goes is read again.
            try:
                found = adas_row(driver)
                return found.find_element(By.CSS_SELECTOR, ".grade-state").text if found else None
            except StaleElementReferenceException:
                return None
        page = row
        deadline = time.monotonic() + 60
        state = ""
        while time.monotonic() < deadline:
            WebDriverWait(self.driver, 30).until(expected_conditions.staleness_of(page))
            state = WebDriverWait(self.driver, 30).until(adas_state)
            if not state.startswith("pending"):
                break
            time.sleep(1)
            page = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.execute_script("location.reload()")
        if not state.startswith("sent at"):
            raise Failure(f"LabGate says the grade is {state!r}")
        self.driver.switch_to.default_content()
        self.shot("teacher-grades-in-labgate")
        self.driver.get(f"{self.moodle}/grade/report/grader/index.php?id={self.env['MOODLE_COURSE_ID']}")
        try:
            WebDriverWait(self.driver, 30).until(lambda d: "87.00" in d.find_element(By.TAG_NAME, "body").text)
        except TimeoutException:
            raise Failure("Moodle's grader report does not show 87.00 for the lab")
        self.settle()
        self.shot("teacher-gradebook-in-moodle")
        return f"LabGate: {state}; Moodle's grader report: 87.00"

    def teacher_syncs_roster(self):
        """The teacher reads the course's roster from Moodle (NRPS) in LabGate: three students, each has opened the lab."""
        self.log_in("teacher1", self.env["MOODLE_TEACHER1_PASSWORD"])
        self.driver.get(self.activities[0])
        self.enter_lab_frame()
        self.find("#sync-roster button").click()
        WebDriverWait(self.driver, 30).until(lambda d: d.find_elements(By.ID, "notice") and d.find_elements(By.ID, "enrolled"))
        notice = self.driver.find_element(By.ID, "notice").text
        if "The roster is read: 3 enrolled" not in notice:
            raise Failure(f"LabGate says: {notice!r}")
        rows = [row.text for row in self.driver.find_elements(By.CSS_SELECTOR, "#enrolled tbody tr")]
        opened = sum(1 for row in rows if row.endswith("opened"))
        if opened != 3:
            raise Failure(f"{opened} of the listed students opened the lab: {rows}")
        self.driver.execute_script("document.getElementById('enrolled').scrollIntoView()")
        self.driver.switch_to.default_content()
        self.shot("teacher-roster")
        return f"{notice.split(':')[1].strip().rstrip('.')}; {opened} of {len(rows)} opened the lab"

    def enter_lab_frame(self):
        self.settle()
        self.driver.switch_to.frame(self.find("iframe#contentframe"))
        WebDriverWait(self.driver, 30).until(lambda d: urlparse(d.execute_script("return location.href")).netloc
                                              == urlparse(self.labgate).netloc)

    def student_opens(self, username, embedded, label):
        self.log_in(username, self.env[f"MOODLE_{username.upper()}_PASSWORD"])
        return self.reach_desktop(username, embedded, label)

    def reach_desktop(self, username, embedded, label, via_lab_page=False):
        started = time.monotonic()
        if embedded:
            self.driver.get(self.activities[0])
            self.enter_lab_frame()
        else:
            # What Moodle's "Open in a new window" does: launch.php in its own top-level window.
            self.driver.get(self.activities[0].replace("/view.php", "/launch.php"))
        if via_lab_page:
            # A ready lab of a graded activity opens on the student's lab page: the desktop is a click away.
            try:
                button = WebDriverWait(self.driver, DESKTOP_PATIENCE, poll_frequency=0.1).until(
                    lambda d: d.find_elements(By.CSS_SELECTOR, "#desktop button"))[0]
            except TimeoutException:
                raise Failure(f"{username} did not see the lab's page; last page "
                              f"{self.driver.execute_script('return location.pathname')}")
            self.shot(f"{username}-lab-page")
            button.click()
        try:
            WebDriverWait(self.driver, DESKTOP_PATIENCE, poll_frequency=0.1).until(
                lambda d: urlparse(d.execute_script("return location.href")).path.endswith("/preview")
                and d.find_elements(By.ID, "connection"))
        except TimeoutException:
            raise Failure(f"{username} did not reach the desktop within {DESKTOP_PATIENCE} s; last page "
                          f"{self.driver.execute_script('return location.pathname')}: "
                          f"{self.driver.find_element(By.TAG_NAME, 'body').text[:300]!r}")
        took = time.monotonic() - started
        self.driver.switch_to.default_content()
        self.shot(f"{username}-desktop-{'embedded' if embedded else 'new-window'}")
        self.timings.append(f"{label} {took:.1f} s")
        return f"click to desktop {took:.1f} s"

    def relaunch(self):
        return self.reach_desktop("student1", True, "relaunch", via_lab_page=True)

    def run(self):
        """True when every step passed; prints the closing line either way."""
        os.makedirs(self.shots, exist_ok=True)
        steps = [
            ("admin registers LabGate with an invitation", self.register),
            ("admin puts LabGate in the activity chooser", self.put_in_activity_chooser),
            ("teacher adds two labs with Deep Linking", self.add_labs),
            ("teacher sees the labs before any launch", lambda: self.teacher_course_page(0)),
            ("student1 opens the lab embedded", lambda: self.student_opens("student1", True, "embedded")),
            ("student1 opens it again: the lab's page, then the desktop", self.relaunch),
            ("student2 opens the lab in a new window", lambda: self.student_opens("student2", False, "new window")),
            ("student3 opens the lab embedded", lambda: self.student_opens("student3", True, "embedded")),
            ("teacher opens the course page", lambda: self.teacher_course_page(3)),
            ("teacher grades student1 in LabGate; Moodle's gradebook shows it", self.teacher_grades),
            ("teacher reads the roster from Moodle in LabGate", self.teacher_syncs_roster),
        ]
        started = time.monotonic()
        try:
            for name, action in steps:
                if not self.step(name, action):
                    break
        finally:
            if self.driver:
                self.driver.quit()
        print(f"moodle-e2e ({self.mode}): {len(self.passed)} of {len(steps)} steps passed in "
              f"{time.monotonic() - started:.0f} s; click to desktop: {', '.join(self.timings) or 'none'}", flush=True)
        return len(self.passed) == len(steps)


def spki_hash(pem_file):
    """Chromium's --ignore-certificate-errors-spki-list value for a certificate's key."""
    import subprocess
    der = subprocess.run(["openssl", "x509", "-in", pem_file, "-pubkey", "-noout"], check=True, capture_output=True).stdout
    spki = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=der, check=True, capture_output=True).stdout
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("moodle_env")
    parser.add_argument("labgate_url")
    parser.add_argument("invitation")
    parser.add_argument("shots")
    parser.add_argument("--mode", default="http")
    parser.add_argument("--resolve", help="host names Chromium maps to 127.0.0.1")
    parser.add_argument("--certificate", help="a PEM certificate whose key Chromium trusts")
    args = parser.parse_args()
    args.spki = spki_hash(args.certificate) if args.certificate else None
    sys.exit(0 if Suite(args).run() else 1)
