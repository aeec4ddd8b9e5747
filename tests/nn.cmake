# Tests of the network layer: layers, model, losses, optimizers (train/layers.c,
# model.c, loss.c, optim.c) and the `clnscl loss` command.
clnscl_unit_test(test_nn_loss test_nn_loss.c)
clnscl_unit_test(test_nn_layers test_nn_layers.c)
clnscl_cli_test(cli_loss cli_loss.sh)
