<?php
// A course for trying LabGate in a fresh Moodle: LAB101 with a teacher and three students,
// made with Moodle's own functions. Prints the course id and each account as shell lines.
// Usage: php populate.php MOODLE_DIR
define('CLI_SCRIPT', true);
require($argv[1] . '/config.php');
require_once($CFG->dirroot . '/course/lib.php');
require_once($CFG->dirroot . '/user/lib.php');
require_once($CFG->libdir . '/enrollib.php');

$course = create_course((object)['fullname' => 'Networks lab', 'shortname' => 'LAB101', 'category' => 1, 'format' => 'topics']);
$instance = $DB->get_record('enrol', ['courseid' => $course->id, 'enrol' => 'manual'], '*', MUST_EXIST);
$manual = enrol_get_plugin('manual');
$roles = [
    'teacher' => $DB->get_field('role', 'id', ['shortname' => 'editingteacher'], MUST_EXIST),
    'student' => $DB->get_field('role', 'id', ['shortname' => 'student'], MUST_EXIST),
];
echo "MOODLE_COURSE_ID={$course->id}\n";
$people = [['teacher1', 'Grace', 'Hopper', 'teacher'], ['student1', 'Ada', 'Lovelace', 'student'],
    ['student2', 'Alan', 'Turing', 'student'], ['student3', 'Edsger', 'Dijkstra', 'student']];
foreach ($people as [$username, $first, $last, $role]) {
    $password = bin2hex(random_bytes(6)) . 'Aa1!';
    $id = user_create_user((object)[
        'username' => $username, 'password' => $password, 'firstname' => $first, 'lastname' => $last,
        'email' => "$username@example.edu", 'auth' => 'manual', 'confirmed' => 1, 'mnethostid' => $CFG->mnet_localhost_id,
    ], true, false);
    $manual->enrol_user($instance, $id, $roles[$role]);
    echo 'MOODLE_' . strtoupper($username) . "_PASSWORD='$password'\n";
}
