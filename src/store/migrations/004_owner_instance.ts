/**
 * Which process of a replica claimed a deployment. The replica id survives restarts (so a restarted
 * replica recognises its deployments at once); the instance id does not, so a process never mistakes
 * a deployment it claimed a moment ago for an orphan of its previous life.
 */
export const sql = `
ALTER TABLE deployments ADD COLUMN owner_instance text;
`;
