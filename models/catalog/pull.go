package catalog

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// slack is added to every download bound, so small files and zip overhead fit.
const slack = 1 << 20

// Puller fetches model files into a Store. Every file is checked against the catalog's size
// and SHA-256 before it is renamed into place, so the store never holds a partial or wrong
// file under a model file's name.
type Puller struct {
	// Store is where files are installed.
	Store Store
	// Mirror, when set, is the only source: a local directory or an http(s) URL holding every
	// file flat under its File.Name. Empty means each file's upstream URL.
	Mirror string
	// Client fetches http(s) sources; nil means http.DefaultClient.
	Client *http.Client
	// Progress, when set, is called as each file's transfer advances and when it ends.
	Progress func(Transfer)
	// Force fetches every file again, even one installed intact.
	Force bool
}

// Pull installs every file of m that is missing or damaged (every file, with Force). Files
// already installed with the right checksum are not fetched again; a zip shared by several
// files is downloaded once. Failures wrap ErrDownload or ErrChecksum, name the file and its
// source, and leave no temporary file behind. Pulls into one store take turns, and each first
// removes the temporary files a killed pull left.
func (p *Puller) Pull(ctx context.Context, m Model) error {
	if err := os.MkdirAll(p.Store.Root(), 0o755); err != nil {
		return fmt.Errorf("models: pull %s: %w", m.Name, err)
	}
	unlock, err := p.Store.lock()
	if err != nil {
		return fmt.Errorf("models: pull %s: %w", m.Name, err)
	}
	defer unlock()
	if err := p.Store.removeStray(); err != nil {
		return fmt.Errorf("models: pull %s: %w", m.Name, err)
	}
	zips := &archives{open: map[string]*zip.ReadCloser{}}
	defer zips.remove()
	for _, f := range m.Files() {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("models: pull %s: %w", m.Name, err)
		}
		if err := p.pullFile(ctx, m, f, zips); err != nil {
			return fmt.Errorf("models: pull %s: %w", m.Name, err)
		}
	}
	return nil
}

// pullFile installs f unless it is already in place and intact.
func (p *Puller) pullFile(ctx context.Context, m Model, f File, zips *archives) error {
	if f.Name == "" || f.Name == "." || f.Name == ".." || filepath.Base(f.Name) != f.Name {
		return fmt.Errorf("bad file name %q", f.Name)
	}
	ok, err := p.Store.present(f)
	if err != nil {
		return err
	}
	if ok && !p.Force && p.Store.Verify(f) == nil {
		newTransfer(p.Progress, f.Name, f.Size).finish("up to date")
		return nil
	}
	src, err := p.fetch(ctx, m, f, zips)
	if err != nil {
		return fmt.Errorf("%s from %s: %w", f.Name, src, err)
	}
	return nil
}

// fetch installs f from the mirror or upstream and returns the source it used.
func (p *Puller) fetch(ctx context.Context, m Model, f File, zips *archives) (string, error) {
	limit := 4*f.Size + slack
	switch {
	case isURL(p.Mirror):
		u := strings.TrimSuffix(p.Mirror, "/") + "/" + url.PathEscape(f.Name)
		return u, p.fetchURL(ctx, f, u, limit)
	case p.Mirror != "":
		path := filepath.Join(p.Mirror, f.Name)
		return path, p.fetchLocal(f, path, limit)
	case f.ZipMember != "":
		return f.URL + " (member " + f.ZipMember + ")", p.fetchMember(ctx, m, f, zips)
	default:
		return f.URL, p.fetchURL(ctx, f, f.URL, limit)
	}
}

// isURL reports whether a mirror is an http(s) URL rather than a directory.
func isURL(mirror string) bool {
	return strings.HasPrefix(mirror, "http://") || strings.HasPrefix(mirror, "https://")
}

// fetchLocal installs f from a file on disk.
func (p *Puller) fetchLocal(f File, path string, limit int64) error {
	r, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: not in the mirror", ErrDownload)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDownload, err)
	}
	defer r.Close()
	return p.install(f, r, limit)
}

// fetchURL installs f from an http(s) URL.
func (p *Puller) fetchURL(ctx context.Context, f File, u string, limit int64) error {
	resp, err := p.get(ctx, u, limit)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return p.install(f, resp.Body, limit)
}

// get requests u and accepts only a 200 whose announced length is within limit.
func (p *Puller) get(ctx context.Context, u string, limit int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDownload, err)
	}
	client := p.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error // its message repeats the URL the caller already names
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: %w", ErrDownload, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %s", ErrDownload, resp.Status)
	}
	if resp.ContentLength > limit {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %d bytes offered, at most %d expected", ErrDownload, resp.ContentLength, limit)
	}
	return resp, nil
}

// install copies f from r (at most limit bytes) into the store, checking its size and
// SHA-256 before it takes its place (see Store.writeAtomic).
func (p *Puller) install(f File, r io.Reader, limit int64) error {
	bar := newTransfer(p.Progress, f.Name, f.Size)
	err := p.Store.writeAtomic(f.Name,
		func(w io.Writer) error { return copyBounded(io.MultiWriter(w, bar), r, limit) },
		func(n int64, sum []byte) error {
			if n != f.Size {
				return fmt.Errorf("%w: got %d bytes, want %d", ErrChecksum, n, f.Size)
			}
			return checkSum(f, sum)
		})
	if err != nil {
		bar.finish("failed")
		return err
	}
	bar.finish("installed")
	return nil
}

// copyBounded copies r to w and fails once r yields more than limit bytes. Read errors wrap
// ErrDownload; write errors are returned as they are.
func copyBounded(w io.Writer, r io.Reader, limit int64) error {
	n, err := io.Copy(w, io.LimitReader(sourceReader{r}, limit+1))
	if err != nil {
		return err
	}
	if n > limit {
		return fmt.Errorf("%w: more than %d bytes", ErrDownload, limit)
	}
	return nil
}

// sourceReader marks the errors of a download's source as ErrDownload.
type sourceReader struct{ r io.Reader }

// Read reads from the source, wrapping its errors (other than io.EOF) with ErrDownload.
func (s sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("%w: %w", ErrDownload, err)
	}
	return n, err
}

// syncDir flushes a directory, making a rename in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// archives holds the zips downloaded during one Pull, so files that share a zip fetch it once.
type archives struct {
	open  map[string]*zip.ReadCloser // by URL
	temps []string
}

// remove closes and deletes every zip downloaded.
func (a *archives) remove() {
	for _, z := range a.open {
		z.Close()
	}
	for _, name := range a.temps {
		os.Remove(name)
	}
}

// fetchMember installs f from a member of the zip at f.URL, downloading the zip unless this
// Pull already did.
func (p *Puller) fetchMember(ctx context.Context, m Model, f File, zips *archives) error {
	z, err := p.archive(ctx, m, f.URL, zips)
	if err != nil {
		return err
	}
	for _, zf := range z.File {
		if zf.Name != f.ZipMember {
			continue
		}
		if zf.UncompressedSize64 != uint64(f.Size) {
			return fmt.Errorf("%w: zip member has %d bytes, want %d", ErrChecksum, zf.UncompressedSize64, f.Size)
		}
		r, err := zf.Open()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrDownload, err)
		}
		defer r.Close()
		return p.install(f, r, f.Size)
	}
	return fmt.Errorf("%w: zip has no member %s", ErrDownload, f.ZipMember)
}

// archive returns the zip at u, downloading it into the models directory the first time. The
// download is bounded by the files of m that come from it.
func (p *Puller) archive(ctx context.Context, m Model, u string, zips *archives) (*zip.ReadCloser, error) {
	if z, ok := zips.open[u]; ok {
		return z, nil
	}
	limit := int64(slack)
	for _, f := range m.Files() {
		if f.URL == u {
			limit += 4 * f.Size
		}
	}
	resp, err := p.get(ctx, u, limit)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	tmp, err := os.CreateTemp(p.Store.Root(), ".download-*.zip")
	if err != nil {
		return nil, err
	}
	zips.temps = append(zips.temps, tmp.Name())
	bar := newTransfer(p.Progress, path.Base(u), resp.ContentLength)
	err = copyBounded(io.MultiWriter(tmp, bar), resp.Body, limit)
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		bar.finish("failed")
		return nil, err
	}
	bar.finish("downloaded")
	z, err := zip.OpenReader(tmp.Name())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDownload, err)
	}
	zips.open[u] = z
	return z, nil
}
