package pose

// DecodeSingle finds one pose, as TensorFlow.js posenet's single-pose decoder: each part sits
// at the cell where its heatmap peaks (the first such cell in row-major order on a tie),
// moved by that cell's offset vector, and scores that peak. The pose's score is the mean of
// its keypoint scores. Displacements are not used.
func DecodeSingle(m Maps) (Pose, error) {
	if err := m.validate(false); err != nil {
		return Pose{}, err
	}
	var p Pose
	for part, c := range m.peaks() {
		s := m.score(c.y, c.x, part)
		p.Keypoints[part] = m.partPoint(c.y, c.x, part).keypoint(s)
		p.Score += s / NumParts
	}
	return p, nil
}

// cell is a grid cell.
type cell struct{ y, x int }

// peaks finds, in one pass over the heatmaps, the first cell in row-major order where each
// part's heatmap is highest.
func (m *Maps) peaks() [NumParts]cell {
	var at [NumParts]cell
	var best [NumParts]float32
	copy(best[:], m.Heatmaps[:NumParts])
	for y := range m.Height {
		for x := range m.Width {
			row := m.Heatmaps[(y*m.Width+x)*NumParts:][:NumParts]
			for part, s := range row {
				if s > best[part] {
					best[part], at[part] = s, cell{y, x}
				}
			}
		}
	}
	return at
}
