package catalog

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// CardExt is the extension of a model card in the models directory: NAME.yaml.
const CardExt = ".yaml"

// MaxFileBytes bounds a file `visiond models add` copies into the store.
const MaxFileBytes = 512 << 20

// OwnCard is a card found in the models directory: the model it describes, or why it
// cannot be used.
type OwnCard struct {
	Name  string
	Model Model
	Err   error
}

// Lookup returns the model called name: a catalog entry, else the own model whose card
// NAME.yaml lies in the store. A card that cannot be used is an error wrapping ErrBadCard;
// no card at all one wrapping ErrUnknownModel.
func (s Store) Lookup(name string) (Model, error) {
	if m, err := Lookup(name); err == nil {
		return m, nil
	}
	if !nameRE.MatchString(name) {
		return Model{}, fmt.Errorf("%w: %q", ErrUnknownModel, name)
	}
	m, err := s.readCard(name)
	if errors.Is(err, fs.ErrNotExist) {
		return Model{}, fmt.Errorf("%w: %q (known: %s, and the own models in %s)", ErrUnknownModel, name, knownNames(), s.Root())
	}
	return m, err
}

// ReadCard reads the card file at path (at most MaxCardBytes) without checking its fields.
// A missing file is an error wrapping fs.ErrNotExist; others wrap ErrBadCard and name it.
func ReadCard(path string) (Card, error) {
	f, err := os.Open(path)
	if err != nil {
		return Card{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxCardBytes+1))
	if err != nil {
		return Card{}, fmt.Errorf("%w: %s: %v", ErrBadCard, path, err)
	}
	c, err := DecodeCard(data)
	if err != nil {
		return Card{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// readCard reads and checks the card NAME.yaml of the store.
func (s Store) readCard(name string) (Model, error) {
	path := filepath.Join(s.Root(), name+CardExt)
	c, err := ReadCard(path)
	if err != nil {
		return Model{}, err
	}
	m, err := c.Model()
	if err != nil {
		return Model{}, fmt.Errorf("%s: %w", path, err)
	}
	if m.Name != name {
		return Model{}, fmt.Errorf("%s: %w: name: %q must be the card's file name without %s (%q)", path, ErrBadCard, m.Name, CardExt, name)
	}
	if _, err := Lookup(name); err == nil {
		return Model{}, fmt.Errorf("%s: %w: name: %q is a catalog model's", path, ErrBadCard, name)
	}
	m.Own = true
	return m, nil
}

// Own lists the cards in the models directory, by name; those that cannot be used carry
// their error.
func (s Store) Own() ([]OwnCard, error) {
	paths, err := filepath.Glob(filepath.Join(s.Root(), "*"+CardExt))
	if err != nil {
		return nil, err
	}
	var out []OwnCard
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), CardExt)
		m, err := s.readCard(name)
		out = append(out, OwnCard{Name: name, Model: m, Err: err})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Add installs an own model: it copies the model file (and labelsFile, unless it is empty)
// into the store as NAME.EXT, pins their size and SHA-256 in the card, and
// writes the card NAME.yaml last. The card's file names are replaced by those copies'.
// Nothing is left behind on failure. An existing model of that name is an error. It takes
// the store's pull lock.
func (s Store) Add(c Card, modelFile, labelsFile string) (Model, error) {
	if _, err := s.Lookup(c.Name); err == nil || errors.Is(err, ErrBadCard) {
		return Model{}, fmt.Errorf("%w: a model called %q exists (remove it first)", ErrBadCard, c.Name)
	}
	if err := os.MkdirAll(s.Root(), 0o755); err != nil {
		return Model{}, err
	}
	unlock, err := s.lock() // a pull would take its temporary files for a killed pull's
	if err != nil {
		return Model{}, err
	}
	defer unlock()
	var done []string
	fail := func(err error) (Model, error) {
		for _, p := range done {
			os.Remove(p)
		}
		return Model{}, err
	}
	file, err := s.copyIn(modelFile, c.Name+strings.ToLower(filepath.Ext(modelFile)))
	if err != nil {
		return fail(err)
	}
	done = append(done, s.Path(file))
	c.File, c.Files = &file, nil
	if labelsFile != "" {
		if c.Labels == nil {
			c.Labels = &CardLabels{}
		}
		ext := ".txt"
		if e := strings.ToLower(filepath.Ext(labelsFile)); e == ".pbtxt" {
			ext = e
		}
		labels, err := s.copyIn(labelsFile, c.Name+".labels"+ext)
		if err != nil {
			return fail(err)
		}
		done = append(done, s.Path(labels))
		c.Labels.File = labels
	}
	m, err := c.Model()
	if err != nil {
		return fail(err)
	}
	var data bytes.Buffer
	enc := yaml.NewEncoder(&data)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return fail(err)
	}
	if err := s.writeAtomic(c.Name+CardExt, func(w io.Writer) error { _, err := data.WriteTo(w); return err }, nil); err != nil {
		return fail(err)
	}
	m.Own = true
	return m, nil
}

// copyIn copies the file at src into the store under name and returns its entry with size
// and SHA-256.
func (s Store) copyIn(src, name string) (File, error) {
	in, err := os.Open(src)
	if err != nil {
		return File{}, err
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil || !st.Mode().IsRegular() || st.Size() > MaxFileBytes {
		return File{}, fmt.Errorf("%s: not a regular file of at most %d MiB", src, MaxFileBytes>>20)
	}
	file := File{Name: name}
	err = s.writeAtomic(name,
		func(w io.Writer) error { _, err := io.Copy(w, io.LimitReader(in, MaxFileBytes)); return err },
		func(n int64, sum []byte) error {
			file.Size, file.SHA256 = n, hex.EncodeToString(sum)
			return nil
		})
	return file, err
}

// Remove deletes an own model: its card and the files it names. A catalog model cannot be
// removed; an unreadable card is removed alone.
func (s Store) Remove(name string) error {
	if _, err := Lookup(name); err == nil {
		return fmt.Errorf("%w: %s is a catalog model, not an own one", ErrBadCard, name)
	}
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w: %q", ErrUnknownModel, name)
	}
	m, err := s.readCard(name)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %q has no card in %s", ErrUnknownModel, name, s.Root())
	}
	if err == nil {
		for _, f := range m.Files() {
			if err := os.Remove(s.Path(f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return os.Remove(filepath.Join(s.Root(), name+CardExt))
}
