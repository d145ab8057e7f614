from dailypapers.cli import app

app(prog_name="dailypapers")
