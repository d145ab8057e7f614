from dailypapers._entry import main

main()
