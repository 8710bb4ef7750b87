// Next.js's `redirect` ends the route by throwing; so does this one, with where it leads.
export class Redirected extends Error {
  constructor(location) {
    super(`redirect to ${location}`);
    this.location = location;
  }
}

export function redirect(location) {
  throw new Redirected(location);
}
