package httpapi

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/visiond/visiond/pipeline"
)

// modelAdmin is what the routes that load and unload models need: *pipeline.Pipeline.
type modelAdmin interface {
	// AllModels lists the loaded models and those that could not be loaded.
	AllModels() []pipeline.ModelInfo
	Load(name string) (pipeline.ModelInfo, error)
	Unload(ctx context.Context, name string) error
}

var _ modelAdmin = (*pipeline.Pipeline)(nil)

// admin returns the pipeline's model administration, once the pipeline is ready.
func (s *Server) admin() (modelAdmin, error) {
	b := s.backend.Load()
	if b == nil {
		return nil, pipeline.ErrNotReady
	}
	admin, ok := b.pipe.(modelAdmin)
	if !ok {
		return nil, errMethod
	}
	return admin, nil
}

// loadModel is POST /v1/models/{name}/load: it loads a catalog or own model while the daemon
// runs and answers its entry of /v1/models.
func (s *Server) loadModel(c *gin.Context) (any, error) {
	admin, err := s.admin()
	if err != nil {
		return nil, err
	}
	info, err := admin.Load(c.Param("name"))
	if err != nil {
		return nil, err
	}
	return modelInfo{ModelInfo: info, Engine: s.backend.Load().engine}, nil
}

// unloadModel is DELETE /v1/models/{name}: the model stops taking requests at once, those
// running on it finish, and it is released.
func (s *Server) unloadModel(c *gin.Context) (any, error) {
	admin, err := s.admin()
	if err != nil {
		return nil, err
	}
	name := c.Param("name")
	if err := admin.Unload(c.Request.Context(), name); err != nil {
		return nil, err
	}
	return gin.H{"name": name, "status": "unloaded"}, nil
}
