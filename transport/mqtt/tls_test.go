package mqtt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/visiond/visiond/internal/testpipeline"
)

// TestTLSBroker connects to a Mosquitto that speaks only TLS and wants a client certificate,
// with the CA and client certificate files of the configuration.
func TestTLSBroker(t *testing.T) {
	pipe := testpipeline.Shared(t)
	dir := t.TempDir()
	files := writeCerts(t, dir)
	m := startMosquitto(t, "cafile "+files.CA, "certfile "+files.Cert, "keyfile "+files.Key, "require_certificate true")
	cfg := Defaults()
	cfg.Broker = strings.Replace(m.url(), "tcp://", "ssl://", 1)
	cfg.TLS = TLSFiles{CA: files.CA, Cert: filepath.Join(dir, "client.pem"), Key: filepath.Join(dir, "client.key")}
	startService(t, cfg, pipe) // waits until connected and subscribed

	cfg.TLS.Cert, cfg.TLS.Key = files.CA, files.CA
	if _, err := Start(t.Context(), cfg, pipe, nil, testLog()); err == nil || !strings.Contains(err.Error(), "mqtt.tls.cert/key") {
		t.Errorf("a CA given as the client key: got %v, want an error naming mqtt.tls.cert/key", err)
	}
}

// writeCerts makes a CA, a server certificate for 127.0.0.1 (cert and key in the returned
// files) and a client certificate (client.pem, client.key), all in dir.
func writeCerts(t *testing.T, dir string) TLSFiles {
	t.Helper()
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "visiond test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caKey := writeCert(t, dir, "ca", ca, ca, nil)
	server := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: ca.NotBefore, NotAfter: ca.NotAfter, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	writeCert(t, dir, "server", server, ca, caKey)
	client := &x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "visiond"},
		NotBefore: ca.NotBefore, NotAfter: ca.NotAfter,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	writeCert(t, dir, "client", client, ca, caKey)
	return TLSFiles{CA: filepath.Join(dir, "ca.pem"), Cert: filepath.Join(dir, "server.pem"), Key: filepath.Join(dir, "server.key")}
}

// writeCert signs tmpl with parent's key (its own when parentKey is nil) and writes
// name.pem and name.key; it returns the new key.
func writeCert(t *testing.T, dir, name string, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if parentKey == nil {
		parentKey = key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for file, block := range map[string]*pem.Block{
		name + ".pem": {Type: "CERTIFICATE", Bytes: der},
		name + ".key": {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(filepath.Join(dir, file), pem.EncodeToMemory(block), 0o644); err != nil {
			t.Fatal(fmt.Errorf("writing %s: %w", file, err))
		}
	}
	return key
}
