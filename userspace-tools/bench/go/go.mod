module hmapbench

go 1.19
