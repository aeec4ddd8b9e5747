# Data layer (issue 5): IDX / CIFAR readers, subsets, augmentations, probes.
clnscl_unit_test(test_data_readers test_data_readers.c)
