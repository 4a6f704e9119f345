"""`lti-tool jobs`: a worker that runs what is queued, enqueueing by hand, and a clear refusal without Redis."""
from lti_tool.cli import main
from lti_tool.tasks import queue as job_queue


def test_the_worker_command_runs_the_queued_jobs(queued):
    with queued.app_context():
        job = job_queue.enqueue("purge_retention")
    result = queued.test_cli_runner().invoke(main, ["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    job.refresh()
    assert job.get_status() == "finished" and set(job.return_value()) == {"purged"}


def test_enqueue_puts_a_periodic_job_on_the_queue(queued):
    result = queued.test_cli_runner().invoke(main, ["jobs", "enqueue", "send_reminders"])
    assert result.exit_code == 0, result.output
    with queued.app_context():
        job, = job_queue.queue().get_jobs()
    assert job.func_name == "lti_tool.tasks.queue.run" and job.args == ("send_reminders",) and job.id in result.output


def test_without_redis_the_commands_say_so(app):
    for command in (["jobs", "worker", "--burst"], ["jobs", "scheduler"], ["jobs", "enqueue", "send_mail"]):
        result = app.test_cli_runner().invoke(main, command)
        assert result.exit_code != 0 and "REDIS_URL is not set" in result.output
