# Data layer (issue 5): IDX / CIFAR readers, subsets, augmentations, probes.
clnscl_unit_test(test_data_readers test_data_readers.c)
clnscl_unit_test(test_augment test_augment.c)
clnscl_unit_test(test_probe test_probe.c)
clnscl_cli_test(cli_data cli_data.sh)
