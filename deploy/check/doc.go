// Package check tests the deployment recipes in deploy/ offline: the Helm chart (lint,
// rendering, strict decoding of every object, and the rendered Deployment run as visiond itself)
// and the Compose file (its wiring, and its visiond and Mosquitto configurations run together).
//
// It is a module of its own, so that client-go stays out of visiond's dependencies. `make
// test-deploy` runs it with VISIOND_HELM naming a helm binary, VISIOND_TESTDATA the shared models
// and photos (as for the main module's tests), and bin/visiond built.
package check
